namespace Asl.Distributed.Coordinator.Cli;

/// <summary>A file an option names that cannot be used; the message names the option, the file and what it must hold.</summary>
internal sealed class OptionFileException(string message) : Exception(message);
