namespace Asl.Distributed.Worker.Tests;

/// <summary>
/// How these tests wait: on the event itself (a line, an exit, a task), however long load makes it take. Only a hang
/// (nothing for minutes, where the event takes well under a minute even on a loaded machine) fails a test here,
/// naming what never happened, so that a broken build fails instead of blocking the run for ever. No test passes or
/// fails by how fast something happened.
/// </summary>
internal static class Hang
{
    /// <summary>How long a wait may last before it is called a hang.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

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
}
