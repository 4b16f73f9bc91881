using System.Globalization;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// A test-only fault point: holds one chosen store write forever, so that an end-to-end test can SIGKILL the
/// coordinator at exactly that point of a real sweep (a kill at a random instant would hit a write only by chance).
/// Off unless <see cref="Variable"/> is set, which nothing but tests does. Its value is
/// <c>&lt;n&gt; &lt;before-commit|after-commit&gt; &lt;text&gt;</c>: the n-th write (1-based) whose operation contains
/// text (e.g. <c>2 before-commit of grain 'trial/s.0000'</c>) blocks inside its transaction after its statements
/// ran, or once it has committed and before its caller hears so; either way the file <c>&lt;store file&gt;.held</c>
/// is created first, for the test to wait on.
/// </summary>
internal sealed class StoreWriteHold
{
    /// <summary>The environment variable that turns the hold on.</summary>
    public const string Variable = "ASL_TEST_HOLD_STORE_WRITE";

    private const string BeforeCommitName = "before-commit";
    private const string AfterCommitName = "after-commit";

    private readonly int _ordinal;
    private readonly bool _afterCommit;
    private readonly string _operationText;
    private int _seen;

    private StoreWriteHold(int ordinal, bool afterCommit, string operationText)
    {
        _ordinal = ordinal;
        _afterCommit = afterCommit;
        _operationText = operationText;
    }

    /// <summary>The hold <see cref="Variable"/> asks for, or null when it is unset; throws naming the variable when its value is malformed.</summary>
    public static StoreWriteHold? FromEnvironment() => Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The hold a value of <see cref="Variable"/> asks for (null for none); throws naming the variable when it is malformed.</summary>
    public static StoreWriteHold? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        var parts = value.Split(' ', 3, StringSplitOptions.TrimEntries);
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) || ordinal < 1
            || parts[1] is not (BeforeCommitName or AfterCommitName)
            || parts[2].Length == 0)
        {
            throw new InvalidOperationException(
                $"{Variable} is '{value}'; allowed: '<n> <{BeforeCommitName}|{AfterCommitName}> <text of the operation>' with n >= 1, " +
                $"e.g. '2 {BeforeCommitName} of grain 'trial/s.0000''");
        }
        return new StoreWriteHold(ordinal, parts[1] == AfterCommitName, parts[2]);
    }

    /// <summary>Called by the writer inside each write's transaction, before its commit; blocks at the chosen write.</summary>
    internal void BeforeCommit(string storePath, string operation)
    {
        if (!_afterCommit)
            HoldIfChosen(storePath, operation);
    }

    /// <summary>Called by the writer after each commit, before the write returns; blocks at the chosen write.</summary>
    internal void AfterCommit(string storePath, string operation)
    {
        if (_afterCommit)
            HoldIfChosen(storePath, operation);
    }

    private void HoldIfChosen(string storePath, string operation)
    {
        // Writes run one at a time (the store's write gate), so a plain count is exact.
        if (!operation.Contains(_operationText, StringComparison.Ordinal) || ++_seen != _ordinal)
            return;
        // Written whole, then renamed, so that a test that sees the file sees what was held.
        File.WriteAllText(storePath + ".held.tmp", operation);
        File.Move(storePath + ".held.tmp", storePath + ".held");
        Thread.Sleep(Timeout.Infinite);
    }
}
