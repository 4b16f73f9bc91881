namespace Asl.Distributed.Coordinator.Hosting;

/// <summary>A token file or variable that cannot be used; the message names it.</summary>
public sealed class TokenFileException(string message) : Exception(message);
