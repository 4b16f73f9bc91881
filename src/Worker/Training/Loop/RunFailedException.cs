namespace Asl.Distributed.Training.Loop;

/// <summary>An unexpected error inside a run, with where it happened; the message is one line naming the epoch and batch.</summary>
public sealed class RunFailedException(string where, Exception inner)
    : Exception($"unexpected error at {where}: {inner.GetType().Name}: {FirstLine(inner.Message)}", inner)
{
    private static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd();
}
