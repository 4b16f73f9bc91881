using System.IO.Pipes;
using Asl.Distributed.Worker.Launching;
using Asl.Distributed.Worker.Logging;

namespace Asl.Distributed.Worker.Tests;

/// <summary><see cref="LauncherWatch"/> on a real anonymous pipe; the end-to-end cases are in <see cref="LaunchedJobTests"/>.</summary>
public sealed class LauncherWatchTests
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public void Watch_LauncherEndOfThePipeClosed_CancelsAndSaysWhyOnce()
    {
        var launcherEnd = new AnonymousPipeServerStream(PipeDirection.Out);
        using var rankEnd = new AnonymousPipeClientStream(PipeDirection.In, launcherEnd.ClientSafePipeHandle);
        using var cancel = new CancellationTokenSource();
        var error = new StringWriter();
        var logger = new TextWriterLoggerProvider(TextWriter.Null, error, "asl-worker").CreateLogger("test");
        using var watch = LauncherWatch.Watch(rankEnd, "the launcher (pid 4242)", cancel, logger);

        launcherEnd.Write("whatever arrives is no reason to stop\n"u8);
        launcherEnd.Flush();
        Assert.False(cancel.IsCancellationRequested, error.ToString());
        launcherEnd.Dispose();

        Assert.True(cancel.Token.WaitHandle.WaitOne(HangLimit), "the watch did not cancel after the launcher's end closed");
        Assert.Equal("asl-worker: warning: the launcher (pid 4242) is gone; stopping at the next safe point" + Environment.NewLine, error.ToString());
    }
}
