namespace Asl.Distributed.Reports;

/// <summary>A report that cannot be written (no font, an output folder that cannot be made); the message says why.</summary>
public sealed class ReportException(string message) : Exception(message);
