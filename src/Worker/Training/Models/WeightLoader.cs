using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// Loads and saves model weights in TorchSharp, PyTorch (<c>.pt</c>/<c>.pth</c>) and safetensors formats. Loading
/// matches keys by name, checks every shape before touching the model, leaves a head of another class count at its
/// initialisation, and reports missing and unexpected keys instead of failing on them (unless strict).
/// </summary>
public static class WeightLoader
{
    private const string BatchCounterSuffix = ".num_batches_tracked";
    private const int ListedKeys = 10;

    /// <summary>Loads <paramref name="path"/> into <paramref name="model"/>, treating its head as replaceable.</summary>
    public static WeightLoadResult Load(ImageClassifier model, string path, WeightFormat format = WeightFormat.Auto, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Load(model, path, model.HeadParameterNames, format, strict);
    }

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="module"/>. Keys in <paramref name="headKeys"/> whose shape
    /// differs in the file are skipped together (the head keeps its current values); any other shape difference,
    /// a file that matches none of the model's keys, or (when <paramref name="strict"/>) any missing or unexpected
    /// key throws <see cref="InvalidDataException"/> before the model is changed.
    /// </summary>
    public static WeightLoadResult Load(
        nn.Module module, string path, IReadOnlyCollection<string> headKeys, WeightFormat format = WeightFormat.Auto, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(headKeys);
        using var scope = NewDisposeScope();
        var (source, resolved) = CheckpointReader.Read(path, format);
        var target = module.state_dict();

        var headMismatches = new List<string>();
        var shapeMismatches = new List<string>();
        foreach (var (key, destination) in target)
        {
            if (!source.TryGetValue(key, out var tensor) || tensor.shape.SequenceEqual(destination.shape))
                continue;
            string line = $"{key}: file [{string.Join(", ", tensor.shape)}], model [{string.Join(", ", destination.shape)}]";
            (headKeys.Contains(key) ? headMismatches : shapeMismatches).Add(line);
        }

        if (shapeMismatches.Count > 0)
        {
            throw new InvalidDataException(
                $"'{path}' does not fit the model: {shapeMismatches.Count} tensors differ in shape ({Listed(shapeMismatches)}).");
        }

        bool skipHead = headMismatches.Count > 0;
        var loaded = target.Keys
            .Where(k => source.ContainsKey(k) && !(skipHead && headKeys.Contains(k)))
            .ToList();
        var missing = target.Keys
            .Where(k => !source.ContainsKey(k) && !IsBatchCounter(k) && !(skipHead && headKeys.Contains(k)))
            .ToList();
        var unexpected = source.Keys
            .Where(k => !target.ContainsKey(k) && !IsBatchCounter(k))
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToList();

        if (loaded.Count == 0)
        {
            throw new InvalidDataException(
                $"'{path}' shares no tensor names with the model (file: {Listed(source.Keys.ToList())}; " +
                $"model: {Listed(target.Keys.ToList())}).");
        }

        if (strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            throw new InvalidDataException(
                $"'{path}' does not match the model exactly: missing {Listed(missing)}; unexpected {Listed(unexpected)}.");
        }

        using (no_grad())
        {
            foreach (var key in loaded)
                target[key].copy_(source[key]);
        }

        return new WeightLoadResult(
            path, resolved, loaded, missing, unexpected, skipHead, skipHead ? string.Join("; ", headMismatches) : null);
    }

    /// <summary>
    /// Saves <paramref name="module"/>'s state dict. <see cref="WeightFormat.Auto"/> picks by extension:
    /// <c>.safetensors</c>, <c>.pt</c>/<c>.pth</c>/<c>.bin</c> (PyTorch), anything else TorchSharp.
    /// </summary>
    public static void Save(nn.Module module, string path, WeightFormat format = WeightFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        switch (format == WeightFormat.Auto ? FormatForExtension(path) : format)
        {
            case WeightFormat.PyTorch:
                module.save_py(path);
                break;
            case WeightFormat.Safetensors:
                module.save_safetensors(path);
                break;
            default:
                module.save(path);
                break;
        }
    }

    /// <summary>The format <see cref="Save"/> chooses for a file name under <see cref="WeightFormat.Auto"/>.</summary>
    public static WeightFormat FormatForExtension(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".safetensors" => WeightFormat.Safetensors,
            ".pt" or ".pth" or ".bin" => WeightFormat.PyTorch,
            _ => WeightFormat.TorchSharp,
        };

    // PyTorch checkpoints from before BatchNorm tracked its batch count lack these counters, and PyTorch itself
    // tolerates their absence; they do not affect inference or training with a fixed momentum.
    private static bool IsBatchCounter(string key) => key.EndsWith(BatchCounterSuffix, StringComparison.Ordinal);

    private static string Listed(IReadOnlyList<string> keys) =>
        keys.Count == 0
            ? "none"
            : string.Join(", ", keys.Take(ListedKeys)) + (keys.Count > ListedKeys ? $" and {keys.Count - ListedKeys} more" : string.Empty);
}
