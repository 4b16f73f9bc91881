namespace Asl.Distributed.Configuration;

/// <summary>One thing wrong with a config: the dotted key a user writes (<c>loss.gamma_neg</c>) and what is wrong.</summary>
public sealed record ConfigProblem(string Key, string Message)
{
    public override string ToString() => $"{Key}: {Message}";
}
