using Asl.Distributed.Worker;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return WorkerCommandLine.Run(args, Console.Out, Console.Error, cancel.Token);
