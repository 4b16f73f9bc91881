using System.Diagnostics;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// How the collectives tests wait: on the event itself, however long load makes it take. Only a hang (nothing for
/// minutes, where the event takes milliseconds) fails a test here, naming what never happened, so that a broken
/// build fails instead of blocking the run for ever. No test passes or fails by how fast something happened.
/// </summary>
internal static class Hang
{
    /// <summary>How long a wait may last before it is called a hang.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>Awaits <paramref name="task"/>; its own exception, if any, is what the test sees.</summary>
    public static async Task Guard(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what} did not happen within {Limit.TotalMinutes:G} minutes: a hang");
        }
    }

    /// <summary>Awaits <paramref name="task"/> and returns its result.</summary>
    public static async Task<T> Guard<T>(Task<T> task, string what)
    {
        await Guard((Task)task, what);
        return await task;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, for state that has no event of its own to await.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        long start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > Limit)
                Assert.Fail($"{what} did not happen within {Limit.TotalMinutes:G} minutes: a hang");
            await Task.Delay(5);
        }
    }
}
