using System.Runtime.InteropServices;
using Asl.Distributed.Worker;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
// Kubernetes stops a pod with SIGTERM: stop like Ctrl-C, leaving the last checkpoint intact.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
return WorkerCommandLine.Run(args, Console.Out, Console.Error, cancel.Token);
