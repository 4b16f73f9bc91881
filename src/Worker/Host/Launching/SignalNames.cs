namespace Asl.Distributed.Worker.Launching;

/// <summary>Names of the signals that end processes, for messages.</summary>
public static class SignalNames
{
    /// <summary><c>SIGKILL</c> for 9; <c>signal 42</c> for a number without a name here. Only numbers that Linux and
    /// macOS share are named (7, 10 and 12 differ between them).</summary>
    public static string Of(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => $"signal {signal}",
    };
}
