using System.Diagnostics;
using System.Globalization;

namespace Asl.Distributed.Training.Devices;

/// <summary>Device names and memory from <c>nvidia-smi</c>, when it is installed.</summary>
internal static class NvidiaSmi
{
    public static Dictionary<int, (string Name, long? MemoryMiB)> Query()
    {
        var found = new Dictionary<int, (string, long?)>();
        try
        {
            var start = new ProcessStartInfo("nvidia-smi", "--query-gpu=index,name,memory.total --format=csv,noheader,nounits")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = line.Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int index))
                    found[index] = (parts[1], long.TryParse(parts[2], CultureInfo.InvariantCulture, out long memory) ? memory : null);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not installed: names stay unknown.
        }
        return found;
    }
}
