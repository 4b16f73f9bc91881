using Microsoft.Extensions.Logging;
using System.Globalization;

namespace Asl.Distributed.Worker.Launching;

/// <summary>
/// Stops a launched rank when its launcher is gone, so that no trainer outlives the process that owns it.
/// The launcher (<see cref="LocalLauncher"/>, later the coordinator's agent) gives each rank a pipe as standard input
/// and its own pid in <see cref="LauncherPidVariable"/>; it never writes to the pipe. When the launcher ends in any
/// way, SIGKILL included, the kernel closes its end and the rank's read returns end-of-file at once: the watch then
/// cancels the rank like SIGTERM does (it stops at the next safe point, the last checkpoint intact, exit 130) and says why.
/// </summary>
/// <remarks>
/// Why a pipe rather than the alternatives: PR_SET_PDEATHSIG fires when the thread that forked exits, and .NET may
/// fork on a thread-pool thread that ends long before the launcher; pidfd_open is Linux-only, needs a P/Invoke and
/// races with pid reuse when the launcher is already gone at start. A pipe's end-of-file is portable, immediate,
/// and cannot be confused with another process.
/// </remarks>
public sealed class LauncherWatch : IDisposable
{
    /// <summary>Set by the launcher to its process id: tells a rank that it was launched and must watch its standard input.</summary>
    public const string LauncherPidVariable = "ASL_LAUNCHER_PID";

    private readonly object _gate = new();
    private readonly Stream _pipe;
    private readonly string _launcher;
    private readonly CancellationTokenSource _cancel;
    private readonly LauncherLog _log;
    private bool _disposed;

    private LauncherWatch(Stream pipe, string launcher, CancellationTokenSource cancel, ILogger logger)
    {
        _pipe = pipe;
        _launcher = launcher;
        _cancel = cancel;
        _log = new LauncherLog(logger);
    }

    /// <summary>
    /// Starts watching standard input when <see cref="LauncherPidVariable"/> is set (this process is a launched rank);
    /// returns null when it is not. Throws <see cref="ArgumentException"/> when the variable is not a process id.
    /// </summary>
    public static LauncherWatch? Start(CancellationTokenSource cancel, ILogger logger)
    {
        string? value = Environment.GetEnvironmentVariable(LauncherPidVariable);
        if (value is null)
            return null;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            throw new ArgumentException($"{LauncherPidVariable} '{value}' is not a process id; allowed: a positive integer, set by the launcher");
        return Watch(Console.OpenStandardInput(), $"the launcher (pid {pid})", cancel, logger);
    }

    /// <summary>Cancels <paramref name="cancel"/> and logs one warning to <paramref name="logger"/> when <paramref name="pipe"/>
    /// reaches end-of-file. <paramref name="launcher"/> names the launcher in that line.</summary>
    public static LauncherWatch Watch(Stream pipe, string launcher, CancellationTokenSource cancel, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(cancel);
        ArgumentNullException.ThrowIfNull(logger);
        var watch = new LauncherWatch(pipe, launcher, cancel, logger);
        // A blocking read on a thread of its own: it waits for the whole run, which would starve a pool thread.
        new Thread(watch.WaitForEndOfFile) { IsBackground = true, Name = "launcher watch" }.Start();
        return watch;
    }

    /// <summary>Stops reacting: the rank is ending anyway, and the token source may be disposed after this.</summary>
    public void Dispose()
    {
        lock (_gate)
            _disposed = true;
    }

    private void WaitForEndOfFile()
    {
        var buffer = new byte[64];
        try
        {
            while (_pipe.Read(buffer) > 0)
            {
                // the launcher writes nothing; whatever arrives is not a reason to stop
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // a broken pipe is the launcher gone as much as end-of-file is
        }
        lock (_gate)
        {
            if (_disposed)
                return;
            _log.LauncherGone(_launcher);
        }
        try
        {
            _cancel.Cancel(); // outside the lock: the token's callbacks may take a while
        }
        catch (ObjectDisposedException)
        {
            // the rank ended meanwhile
        }
    }
}
