using System.Globalization;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// A test-only fault point: holds one rank of one attempt at the end of a chosen epoch until the attempt is cancelled
/// (the agent stops) or the process dies, so that an end-to-end
/// test can kill that worker while its trial is certainly mid-run (a kill after an epoch event seen from outside would
/// come too late on a loaded machine: the trial may have finished meanwhile). Off unless <see cref="Variable"/> is
/// set, which nothing but tests does. Its value is <c>&lt;trial id&gt; &lt;attempt&gt; &lt;rank&gt; &lt;epoch&gt; &lt;signal file&gt;</c>;
/// the held rank first writes its worker's attempt key into the signal file, for the test to wait on.
/// </summary>
internal sealed class EpochHold
{
    /// <summary>The environment variable that turns the hold on.</summary>
    public const string Variable = "ASL_TEST_HOLD_AFTER_EPOCH";

    private readonly AttemptKey _attempt;
    private readonly int _rank;
    private readonly int _epoch;
    private readonly string _signalFile;

    private EpochHold(AttemptKey attempt, int rank, int epoch, string signalFile)
    {
        _attempt = attempt;
        _rank = rank;
        _epoch = epoch;
        _signalFile = signalFile;
    }

    /// <summary>The hold <see cref="Variable"/> asks for, or null when it is unset; throws naming the variable when its value is malformed.</summary>
    public static EpochHold? FromEnvironment() => Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The hold a value of <see cref="Variable"/> asks for (null for none); throws naming the variable when it is malformed.</summary>
    public static EpochHold? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        var parts = value.Split(' ', 5, StringSplitOptions.TrimEntries);
        if (parts.Length != 5 || parts[0].Length == 0 || parts[4].Length == 0
            || !TryCount(parts[1], 1, out int attempt) || !TryCount(parts[2], 0, out int rank) || !TryCount(parts[3], 1, out int epoch))
        {
            throw new InvalidOperationException(
                $"{Variable} is '{value}'; allowed: '<trial id> <attempt >= 1> <rank >= 0> <epoch >= 1> <signal file>', e.g. 'sweep.0000 1 1 1 /tmp/held'");
        }
        return new EpochHold(new AttemptKey(parts[0], attempt), rank, epoch, parts[4]);
    }

    /// <summary>
    /// Called on the trainer's thread when <paramref name="rank"/> of <paramref name="attempt"/> completed
    /// <paramref name="epoch"/>; if chosen, blocks there until <paramref name="cancellation"/> fires.
    /// </summary>
    public void AtEpochEnd(AttemptKey attempt, int rank, int epoch, CancellationToken cancellation)
    {
        if (attempt != _attempt || rank != _rank || epoch != _epoch)
            return;
        // Written whole, then renamed, so that a test that sees the file sees what was held.
        File.WriteAllText(_signalFile + ".tmp", attempt.ToString());
        File.Move(_signalFile + ".tmp", _signalFile);
        cancellation.WaitHandle.WaitOne();
    }

    private static bool TryCount(string text, int least, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= least;
}
