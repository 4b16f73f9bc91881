using Asl.Distributed.Training.Data;

namespace Asl.Distributed.Training.Tests.Data;

public sealed class FolderLockTests
{
    [Fact]
    public async Task Acquire_WhileAnotherHolderHasIt_WaitsUntilItIsReleased()
    {
        string folder = Path.Combine(Path.GetTempPath(), "asl-lock-" + Guid.NewGuid().ToString("N"));
        bool released = false;
        var first = FolderLock.Acquire(folder, CancellationToken.None);
        var second = Task.Run(() =>
        {
            using var held = FolderLock.Acquire(folder, CancellationToken.None);
            // Only reachable once the first holder let go; a lock that let both in would see false here.
            return Volatile.Read(ref released);
        });
        // Let the second try (and fail) at least once before the release, so the test exercises the wait.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Volatile.Write(ref released, true);
        first.Dispose();

        Assert.True(await second);
        File.Delete(folder + ".lock");
    }

    [Fact]
    public void Acquire_Cancelled_ThrowsInsteadOfWaitingForever()
    {
        string folder = Path.Combine(Path.GetTempPath(), "asl-lock-" + Guid.NewGuid().ToString("N"));
        using var held = FolderLock.Acquire(folder, CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => FolderLock.Acquire(folder, cancelled.Token));
    }
}
