using Microsoft.Extensions.Options;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>Options that never change, for logger providers built without a host.</summary>
internal sealed class FixedOptions<T>(T options) : IOptionsMonitor<T>
{
    public T CurrentValue => options;

    public T Get(string? name) => options;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
