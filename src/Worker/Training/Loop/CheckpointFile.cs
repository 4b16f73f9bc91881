using Asl.Distributed.Runs;
using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// One checkpoint file: a zip archive (stored, not compressed) holding <c>state.json</c>, <c>model.bin</c>,
/// <c>optimizer.bin</c> and, when the run keeps one, <c>ema.bin</c> (TorchSharp formats). Written to a temporary
/// file in the same folder and renamed over the target, so a crash mid-write never leaves a torn checkpoint.
/// </summary>
public static class CheckpointFile
{
    private const string StateEntry = "state.json";
    private const string ModelEntry = "model.bin";
    private const string EmaEntry = "ema.bin";
    private const string OptimizerEntry = "optimizer.bin";

    /// <summary>Writes the checkpoint atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, CheckpointState state, nn.Module model, nn.Module? ema, OptimizerHelper optimizer)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                using (var entry = zip.CreateEntry(StateEntry, CompressionLevel.NoCompression).Open())
                    JsonSerializer.Serialize(entry, state, RunJson.Options);
                using (var entry = zip.CreateEntry(ModelEntry, CompressionLevel.NoCompression).Open())
                    model.save(entry);
                if (ema is not null)
                {
                    using var entry = zip.CreateEntry(EmaEntry, CompressionLevel.NoCompression).Open();
                    ema.save(entry);
                }
                using (var entry = zip.CreateEntry(OptimizerEntry, CompressionLevel.NoCompression).Open())
                using (var writer = new BinaryWriter(entry))
                    optimizer.save_state_dict(writer);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <summary>Reads only the scalar state (for example to show or resume a run).</summary>
    public static CheckpointState ReadState(string path)
    {
        using var zip = Open(path);
        return ReadStateEntry(zip, path);
    }

    /// <summary>Loads the checkpoint into the given model, EMA model and optimizer; returns the scalar state.</summary>
    public static CheckpointState Read(string path, nn.Module model, nn.Module? ema, OptimizerHelper optimizer)
    {
        using var zip = Open(path);
        var state = ReadStateEntry(zip, path);
        Load(zip, path, ModelEntry, stream => model.load(stream));
        if (ema is not null)
            Load(zip, path, EmaEntry, stream => ema.load(stream));
        Load(zip, path, OptimizerEntry, stream =>
        {
            using var reader = new BinaryReader(stream);
            optimizer.load_state_dict(reader);
        });
        return state;
    }

    /// <summary>Loads only the model weights (or the EMA model's, with <paramref name="ema"/>), for evaluation or export.</summary>
    public static CheckpointState ReadModel(string path, nn.Module model, bool ema = false)
    {
        using var zip = Open(path);
        var state = ReadStateEntry(zip, path);
        Load(zip, path, ema ? EmaEntry : ModelEntry, stream => model.load(stream));
        return state;
    }

    private static ZipArchive Open(string path)
    {
        if (!File.Exists(path))
            throw new CheckpointException(path, "the checkpoint file does not exist");
        try
        {
            return new ZipArchive(File.OpenRead(path), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(path, "not a checkpoint (the archive is unreadable or truncated)", e);
        }
    }

    private static CheckpointState ReadStateEntry(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(StateEntry) ?? throw new CheckpointException(path, $"no {StateEntry} in the archive");
        try
        {
            using var stream = entry.Open();
            return JsonSerializer.Deserialize<CheckpointState>(stream, RunJson.Options)
                ?? throw new CheckpointException(path, $"{StateEntry} is empty");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new CheckpointException(path, $"{StateEntry} is unreadable: {e.Message}", e);
        }
    }

    private static void Load(ZipArchive zip, string path, string name, Action<Stream> load)
    {
        var entry = zip.GetEntry(name) ?? throw new CheckpointException(path, $"no {name} in the archive");
        try
        {
            using var stream = entry.Open();
            load(stream);
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            throw new CheckpointException(path, $"{name} does not fit this run: {e.Message}", e);
        }
    }
}
