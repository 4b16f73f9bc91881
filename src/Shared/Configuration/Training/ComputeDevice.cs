using System.Globalization;
using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// The device a run trains on (config <c>run.device</c>): <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.
/// Read in any case, written in lower case; an index only ever comes with <see cref="DeviceKind.Cuda"/>.
/// </summary>
public readonly record struct ComputeDevice : IParsedSetting<ComputeDevice>
{
    private ComputeDevice(DeviceKind kind, int? index)
    {
        Kind = kind;
        Index = index;
    }

    /// <summary>CUDA when usable, else the CPU (the default).</summary>
    public static ComputeDevice Auto => default;

    public static ComputeDevice Cpu => new(DeviceKind.Cpu, null);

    public DeviceKind Kind { get; }

    /// <summary>The CUDA device index when one was named (<c>cuda:N</c>); null otherwise.</summary>
    public int? Index { get; }

    public static string TypeName => "device";

    public static string Allowed => "auto, cpu, cuda or cuda:N (N a CUDA device index >= 0)";

    public static string Pattern => "^\\s*([Aa][Uu][Tt][Oo]|[Cc][Pp][Uu]|[Cc][Uu][Dd][Aa](:[0-9]+)?)\\s*$";

    /// <summary>CUDA, on device <paramref name="index"/> when given.</summary>
    public static ComputeDevice Cuda(int? index = null)
    {
        if (index is < 0)
            throw new ArgumentOutOfRangeException(nameof(index), index, "a CUDA device index is >= 0");
        return new ComputeDevice(DeviceKind.Cuda, index);
    }

    public static bool TryParse(string text, out ComputeDevice value)
    {
        string t = text.Trim();
        value = default;
        if (t.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return true;
        if (t.Equals("cpu", StringComparison.OrdinalIgnoreCase))
        {
            value = Cpu;
            return true;
        }
        if (!t.StartsWith("cuda", StringComparison.OrdinalIgnoreCase))
            return false;
        string rest = t[4..];
        if (rest.Length == 0)
        {
            value = Cuda();
            return true;
        }
        if (rest[0] != ':' || !int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return false;
        value = Cuda(index);
        return true;
    }

    /// <summary>The canonical spelling: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.Cuda => Index is { } i ? "cuda:" + i.ToString(CultureInfo.InvariantCulture) : "cuda",
        _ => "auto",
    };
}
