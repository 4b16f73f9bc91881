namespace Asl.Distributed.Worker.Agent;

/// <summary>One attempt of one trial: what every order and report names.</summary>
public readonly record struct AttemptKey(string TrialId, int Attempt)
{
    public override string ToString() => $"trial {TrialId} attempt {Attempt}";
}
