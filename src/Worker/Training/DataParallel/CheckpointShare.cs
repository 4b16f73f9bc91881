using System.Runtime.InteropServices;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.DataParallel;

/// <summary>
/// The checkpoint a run resumes from, on every rank: rank 0 reads it from the run folder and broadcasts its bytes,
/// and each other rank restores from a private temporary copy, so resume needs no shared volume and works for any
/// world size (the checkpoint holds no per-rank state).
/// </summary>
public sealed class CheckpointShare : IDisposable
{
    private readonly string? _temporaryFolder;

    private CheckpointShare(string? path, string? temporaryFolder)
    {
        Path = path;
        _temporaryFolder = temporaryFolder;
    }

    /// <summary>Where this rank reads the checkpoint, or null when there is none to resume from.</summary>
    public string? Path { get; }

    /// <summary>
    /// Shares rank 0's <paramref name="rootPath"/> (null or a missing file: nothing to resume). Every rank must call it.
    /// </summary>
    public static CheckpointShare Open(ProcessGroup group, string? rootPath, CancellationToken ct)
    {
        bool exists = rootPath is not null && File.Exists(rootPath);
        if (group.WorldSize == 1)
            return new CheckpointShare(exists ? rootPath : null, null);

        byte[] bytes = group.IsRoot && exists ? File.ReadAllBytes(rootPath!) : [];
        var header = new float[2];
        MemoryMarshal.Write(MemoryMarshal.AsBytes(header.AsSpan()), group.IsRoot && exists ? (long)bytes.Length + 1 : 0L);
        group.BroadcastAsync(header, ct).GetAwaiter().GetResult();
        long announced = MemoryMarshal.Read<long>(MemoryMarshal.AsBytes(header.AsSpan()));
        if (announced == 0)
            return new CheckpointShare(null, null);

        long length = announced - 1;
        var payload = new float[(length + sizeof(float) - 1) / sizeof(float)];
        if (group.IsRoot)
            bytes.CopyTo(MemoryMarshal.AsBytes(payload.AsSpan()));
        group.BroadcastAsync(payload, ct).GetAwaiter().GetResult();
        if (group.IsRoot)
            return new CheckpointShare(rootPath, null);

        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"asl-resume-rank{group.Rank}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        string path = System.IO.Path.Combine(folder, "last.ckpt");
        using (var file = File.Create(path))
            file.Write(MemoryMarshal.AsBytes(payload.AsSpan())[..(int)length]);
        return new CheckpointShare(path, folder);
    }

    /// <summary>Deletes this rank's temporary copy.</summary>
    public void Dispose()
    {
        if (_temporaryFolder is not null && Directory.Exists(_temporaryFolder))
            Directory.Delete(_temporaryFolder, recursive: true);
    }
}
