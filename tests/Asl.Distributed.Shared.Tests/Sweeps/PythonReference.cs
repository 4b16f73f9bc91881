using System.Diagnostics;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>
/// Runs a script on the system Python (<c>/usr/bin/python3</c>, which has NumPy; the first python3 on PATH may not),
/// returning its standard output. A missing interpreter or package fails the test with the install hint, never
/// skips it.
/// </summary>
internal static class PythonReference
{
    private const string PythonPath = "/usr/bin/python3";

    public static string Run(string script, params string[] arguments)
    {
        Assert.True(File.Exists(PythonPath), $"{PythonPath} is missing; the NumPy comparison needs it (apt-get install python3-numpy)");
        var start = new ProcessStartInfo(PythonPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var python = Process.Start(start) ?? throw new InvalidOperationException($"{PythonPath} did not start");
        var error = python.StandardError.ReadToEndAsync();
        string output = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"{PythonPath} failed (exit {python.ExitCode}; NumPy: apt-get install python3-numpy): {error.Result}");
        return output;
    }
}
