namespace Asl.Distributed.Training.Devices;

/// <summary>One check of <see cref="DeviceCheck"/>: its name, whether it passed, and what it measured or why it failed.</summary>
public sealed record DeviceCheckResult(string Name, DeviceCheckOutcome Outcome, string Detail)
{
    public override string ToString() => $"{Outcome switch { DeviceCheckOutcome.Passed => "ok  ", DeviceCheckOutcome.Failed => "FAIL", _ => "skip" }} {Name}: {Detail}";
}

/// <summary>How a device check ended.</summary>
public enum DeviceCheckOutcome
{
    Passed,
    Failed,
    /// <summary>Not checked, because what it checks is not built yet (the detail says what).</summary>
    Skipped,
}
