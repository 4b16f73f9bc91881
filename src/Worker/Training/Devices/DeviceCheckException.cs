namespace Asl.Distributed.Training.Devices;

/// <summary>A device check found the device disagreeing with its reference; the message says by how much.</summary>
public sealed class DeviceCheckException(string message) : Exception(message);
