using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Asl.Distributed.Training.Tests.Metrics;

/// <summary>
/// Runs scikit-learn on a score matrix through the system Python (<c>/usr/bin/python3</c>; the first python3 on PATH
/// may lack scikit-learn). A missing interpreter or package fails the test with the install command, never skips it.
/// </summary>
internal static class SklearnReference
{
    private const string PythonPath = "/usr/bin/python3";
    private const string InstallHint = "install it with: apt-get install python3-sklearn";

    // Top-k uses a stable argsort of the negated scores, so among ties the lower class index comes first; the
    // threshold is cast to float32 so that it is compared exactly as the C# side compares it.
    private const string Script = """
        import json, sys
        try:
            import numpy as np
            import sklearn
            from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
        except ImportError as error:
            print(f"scikit-learn is missing ({error}); install it with: apt-get install python3-sklearn", file=sys.stderr)
            sys.exit(3)

        scores_path, targets_path, rows, classes, threshold, k = sys.argv[1:7]
        rows, classes, k = int(rows), int(classes), int(k)
        scores = np.fromfile(scores_path, dtype="<f4").reshape(rows, classes)
        targets = np.fromfile(targets_path, dtype="<f4").reshape(rows, classes).astype(np.int64)

        ap = [None if targets[:, c].sum() == 0
              else float(average_precision_score(targets[:, c], scores[:, c].astype(np.float64)))
              for c in range(classes)]

        def hard(predicted):
            out = {}
            for average in ("macro", "micro"):
                out[average] = {
                    "precision": float(precision_score(targets, predicted, average=average, zero_division=0)),
                    "recall": float(recall_score(targets, predicted, average=average, zero_division=0)),
                    "f1": float(f1_score(targets, predicted, average=average, zero_division=0)),
                }
            return out

        at_threshold = (scores >= np.float32(float(threshold))).astype(np.int64)
        top_k = np.zeros_like(targets)
        np.put_along_axis(top_k, np.argsort(-scores, axis=1, kind="stable")[:, :k], 1, axis=1)
        json.dump({"version": sklearn.__version__, "ap": ap, "threshold": hard(at_threshold), "top_k": hard(top_k)}, sys.stdout)
        """;

    /// <summary>Per-class AP (null without positives) and the macro/micro metrics, as fractions.</summary>
    public static JsonElement Run(float[] scores, float[] targets, int classes, float threshold, int k)
    {
        if (!File.Exists(PythonPath))
        {
            Assert.Fail($"{PythonPath} is missing; the scikit-learn comparison needs it ({InstallHint}).");
        }

        string directory = Directory.CreateTempSubdirectory("asl-metrics-sklearn-").FullName;
        try
        {
            string scriptPath = Path.Combine(directory, "reference.py");
            string scoresPath = Path.Combine(directory, "scores.f32");
            string targetsPath = Path.Combine(directory, "targets.f32");
            File.WriteAllText(scriptPath, Script);
            // The script reads little-endian float32; the bytes below are this process's own layout.
            Assert.True(BitConverter.IsLittleEndian);
            File.WriteAllBytes(scoresPath, MemoryMarshal.AsBytes(scores.AsSpan()).ToArray());
            File.WriteAllBytes(targetsPath, MemoryMarshal.AsBytes(targets.AsSpan()).ToArray());

            var start = new ProcessStartInfo(PythonPath)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[]
            {
                scriptPath, scoresPath, targetsPath, (scores.Length / classes).ToString(CultureInfo.InvariantCulture),
                classes.ToString(CultureInfo.InvariantCulture), threshold.ToString("R", CultureInfo.InvariantCulture),
                k.ToString(CultureInfo.InvariantCulture),
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{PythonPath} did not start.");
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill();
                Assert.Fail("The scikit-learn reference did not finish within 2 minutes.");
            }

            if (process.ExitCode != 0)
            {
                Assert.Fail($"The scikit-learn reference failed (exit {process.ExitCode}; {InstallHint} if it is missing): {error.Result}");
            }

            return JsonDocument.Parse(output).RootElement.Clone();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
