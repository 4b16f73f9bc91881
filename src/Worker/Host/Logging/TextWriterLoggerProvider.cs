using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Logging;

/// <summary>
/// Log lines for a terminal: information as its bare message on the output (as readable as a plain program's
/// notes), warnings and errors prefixed with the program's name on the error stream, debug and trace prefixed
/// with their level. Writes to the given writers, so in-process callers and tests see exactly what a user sees.
/// </summary>
public sealed class TextWriterLoggerProvider(TextWriter output, TextWriter error, string program) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new TextWriterLogger(this);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message, Exception? exception)
    {
        lock (_gate)
        {
            switch (level)
            {
                case LogLevel.Trace or LogLevel.Debug:
                    output.WriteLine($"{(level == LogLevel.Trace ? "trace" : "debug")}: {message}");
                    if (exception is not null)
                        output.WriteLine(exception);
                    break;
                case LogLevel.Information:
                    output.WriteLine(message);
                    break;
                default:
                    error.WriteLine($"{program}: {(level == LogLevel.Warning ? "warning: " : "")}{message}");
                    break;
            }
        }
    }

    private sealed class TextWriterLogger(TextWriterLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write(logLevel, formatter(state, exception), exception);
    }
}
