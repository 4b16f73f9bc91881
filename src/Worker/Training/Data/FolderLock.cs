namespace Asl.Distributed.Training.Data;

/// <summary>
/// An exclusive lock between processes on a file beside a folder, so that only one of several workers generates a
/// data set while the others wait and then read it (the lock is an OS file lock: it is released when its holder
/// exits, even by SIGKILL).
/// </summary>
public sealed class FolderLock : IDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(100);
    private readonly FileStream _stream;

    private FolderLock(FileStream stream) => _stream = stream;

    /// <summary>Waits until this process holds the lock of <paramref name="folder"/> (the file <c>folder.lock</c>).</summary>
    public static FolderLock Acquire(string folder, CancellationToken cancellationToken)
    {
        string path = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        while (true)
        {
            try
            {
                return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process holds it: it is generating; wait for it to finish.
                cancellationToken.WaitHandle.WaitOne(Retry);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
