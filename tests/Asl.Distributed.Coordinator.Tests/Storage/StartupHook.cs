using Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>
/// .NET runs <c>StartupHook.Initialize</c> of every assembly named in <c>DOTNET_STARTUP_HOOKS</c> before the
/// program's Main. The kill tests start this test assembly as a child process with itself as the hook and
/// <see cref="StoreWriteLoop.PathVariable"/> set, which turns the child into a store write loop; in any other
/// process the hook returns at once.
/// </summary>
#pragma warning disable CA1050 // The runtime looks the hook up by this exact name, outside any namespace.
internal static class StartupHook
#pragma warning restore CA1050
{
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable(StoreWriteLoop.PathVariable);
        if (path is not null)
        {
            Environment.Exit(StoreWriteLoop.Run(path));
        }
    }
}
