using System.Text;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>A thread-safe writer that keeps the lines written to it and lets a test await a line as it arrives.</summary>
internal sealed class LineWriter : TextWriter
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _partial = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public string Text
    {
        get
        {
            lock (_gate)
                return string.Join('\n', _lines);
        }
    }

    public override void Write(char value)
    {
        lock (_gate)
        {
            if (value == '\n')
                Add(_partial.ToString());
            else
                _partial.Append(value);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            foreach (string line in ((value ?? "") + "\n").Split('\n')[..^1])
            {
                _partial.Append(line);
                Add(_partial.ToString());
            }
        }
    }

    /// <summary>The first line (so far or to come) that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        lock (_gate)
        {
            if (_lines.FirstOrDefault(match) is { } line)
                return Task.FromResult(line);
            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task;
        }
    }

    private void Add(string line)
    {
        _partial.Clear();
        _lines.Add(line);
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Match(line))
            {
                _waiters[i].Found.TrySetResult(line);
                _waiters.RemoveAt(i);
            }
        }
    }
}
