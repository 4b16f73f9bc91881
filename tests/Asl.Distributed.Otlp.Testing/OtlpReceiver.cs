using System.Net;
using Asl.Distributed.Otlp.Testing.Collectors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Otlp.Testing;

/// <summary>
/// A real OTLP/gRPC collector for tests: Kestrel on a free loopback port, HTTP/2 without TLS, serving the metrics,
/// trace and logs Export services. Everything an exporter sends is kept with its resource and scope; waits complete
/// on arrival (also when the data came before the wait). <see cref="Mode"/> turns it into a collector that refuses
/// or never answers, for tests of what a broken telemetry back end costs a run.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    /// <summary>Larger than any test's export; the gRPC default (4 MiB) would refuse a big batch with a confusing error.</summary>
    private const int MaxExportBytes = 64 << 20;

    private const int NamesInMessages = 30;

    private readonly CollectorState _state;
    private readonly WebApplication _app;
    private int _disposed;

    private OtlpReceiver(CollectorState state, WebApplication app, Uri endpoint)
    {
        _state = state;
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The address for an OTLP exporter with protocol grpc (OTEL_EXPORTER_OTLP_ENDPOINT), e.g. http://127.0.0.1:40123.</summary>
    public Uri Endpoint { get; }

    /// <summary>How export calls are answered from now on; leaving <see cref="OtlpReceiverMode.Hold"/> answers the held calls by the new mode.</summary>
    public OtlpReceiverMode Mode
    {
        get => _state.Gate.Mode;
        set => _state.Gate.Mode = value;
    }

    /// <summary>Every metric stored so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedMetric> Metrics => _state.Metrics.Snapshot();

    /// <summary>Every span stored so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedSpan> Spans => _state.Spans.Snapshot();

    /// <summary>Every log record stored so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedLog> Logs => _state.Logs.Snapshot();

    /// <summary>Every export call received so far (stored, refused or held), in arrival order.</summary>
    public IReadOnlyList<OtlpExportAttempt> ExportAttempts => _state.Attempts.Snapshot();

    /// <summary>Every export call ended so far, in the order they ended; a held call has no answer yet.</summary>
    public IReadOnlyList<OtlpExportAnswer> ExportAnswers => _state.Answers.Snapshot();

    /// <summary>
    /// Starts a receiver. <paramref name="logging"/> receives the host's warnings and errors (none are written
    /// anywhere when it is null).
    /// </summary>
    public static async Task<OtlpReceiver> StartAsync(ILoggerProvider? logging = null, CancellationToken cancellation = default)
    {
        var state = new CollectorState();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null)
            builder.Logging.AddProvider(logging);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Prior-knowledge HTTP/2 on cleartext is what an OTLP/gRPC exporter speaks to an http:// endpoint.
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = MaxExportBytes;
        });
        builder.Services.AddSingleton(state);
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = MaxExportBytes);

        var app = builder.Build();
        app.MapGrpcService<MetricsCollector>();
        app.MapGrpcService<TraceCollector>();
        app.MapGrpcService<LogsCollector>();
        try
        {
            await app.StartAsync(cancellation).ConfigureAwait(false);
            string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            return new OtlpReceiver(state, app, new Uri(address));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            state.Dispose();
            throw;
        }
    }

    /// <summary>Completes with the first stored metric named <paramref name="name"/> that satisfies <paramref name="match"/>.</summary>
    public Task<ReceivedMetric> WaitForMetricAsync(string name, Func<ReceivedMetric, bool>? match = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var wait = _state.Metrics.WaitAsync(m => m.Metric.Name == name && (match?.Invoke(m) ?? true), 1, cancellation);
        return Described(wait, $"metric '{name}'", () => Names(_state.Metrics.Snapshot().Select(m => m.Metric.Name)), cancellation);
    }

    /// <summary>Completes with the first stored span named <paramref name="name"/> that satisfies <paramref name="match"/>.</summary>
    public Task<ReceivedSpan> WaitForSpanAsync(string name, Func<ReceivedSpan, bool>? match = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var wait = _state.Spans.WaitAsync(s => s.Span.Name == name && (match?.Invoke(s) ?? true), 1, cancellation);
        return Described(wait, $"span '{name}'", () => Names(_state.Spans.Snapshot().Select(s => s.Span.Name)), cancellation);
    }

    /// <summary>Completes with the first stored log record that satisfies <paramref name="match"/>.</summary>
    public Task<ReceivedLog> WaitForLogAsync(Func<ReceivedLog, bool> match, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        var wait = _state.Logs.WaitAsync(match, 1, cancellation);
        return Described(wait, "a matching log record", () => Names(_state.Logs.Snapshot().Select(l => l.Body ?? $"({l.Record.Body?.ValueCase})")), cancellation);
    }

    /// <summary>
    /// Completes when the <paramref name="count"/>-th export call for <paramref name="signal"/> has arrived, whatever
    /// the mode: the call is counted before it is stored, refused or held.
    /// </summary>
    public Task<OtlpExportAttempt> WaitForExportAttemptAsync(OtlpSignal signal, int count = 1, CancellationToken cancellation = default)
    {
        var wait = _state.Attempts.WaitAsync(a => a.Signal == signal, count, cancellation);
        return Described(wait, $"export call {count} for {signal}", () => $"{ExportAttemptCount(signal)} call(s)", cancellation);
    }

    /// <summary>
    /// Completes when the <paramref name="count"/>-th export call for <paramref name="signal"/> has ended (stored,
    /// refused or abandoned). Unlike an SDK's ForceFlush, which may return once the batch has been handed to the
    /// exporter, this is the receiver's side of the call: whatever the call stored is stored by then.
    /// </summary>
    public Task<OtlpExportAnswer> WaitForExportAnswerAsync(OtlpSignal signal, int count = 1, CancellationToken cancellation = default)
    {
        var wait = _state.Answers.WaitAsync(a => a.Signal == signal, count, cancellation);
        return Described(wait, $"the answer to export call {count} for {signal}", () => $"{_state.Answers.Count(a => a.Signal == signal)} answered, {ExportAttemptCount(signal)} received", cancellation);
    }

    /// <summary>How many export calls for <paramref name="signal"/> have arrived, whatever became of them.</summary>
    public int ExportAttemptCount(OtlpSignal signal) => _state.Attempts.Count(a => a.Signal == signal);

    /// <summary>
    /// Fails pending waits, answers held calls with UNAVAILABLE, then stops the server: a test never hangs on a
    /// receiver it left in <see cref="OtlpReceiverMode.Hold"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _state.Close();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _state.Dispose();
    }

    private static async Task<T> Described<T>(Task<T> wait, string what, Func<string> received, CancellationToken cancellation)
    {
        try
        {
            return await wait.ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException($"{what} had not arrived when the wait was cancelled; received so far: {received()}", e, cancellation);
        }
    }

    private static string Names(IEnumerable<string> names)
    {
        var distinct = names.Distinct().ToList();
        if (distinct.Count == 0)
            return "nothing";
        string shown = string.Join(", ", distinct.Take(NamesInMessages).Select(n => "'" + n + "'"));
        return distinct.Count > NamesInMessages ? $"{shown} and {distinct.Count - NamesInMessages} more" : shown;
    }
}
