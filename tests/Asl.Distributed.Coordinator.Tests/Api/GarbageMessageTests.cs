using System.Net;
using System.Net.Http.Headers;
using Asl.Distributed.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>Bytes that are not a protobuf message, sent as a gRPC call over raw HTTP/2.</summary>
public sealed class GarbageMessageTests : IAsyncLifetime
{
    // A payload that is not protobuf: an invalid wire type, then a length past the end.
    private static readonly byte[] Garbage = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7A, 0x01];

    private TestCoordinator _coordinator = null!;

    public async Task InitializeAsync() => _coordinator = await TestCoordinator.Start();

    public async Task DisposeAsync() => await _coordinator.DisposeAsync();

    [Theory]
    [InlineData("/asl.distributed.v1.SweepService/SubmitSweep", "asl.distributed.v1.SubmitSweepRequest")]
    [InlineData("/asl.distributed.v1.WorkerHub/ReportEpoch", "asl.distributed.v1.EpochReport")]
    [InlineData("/asl.distributed.v1.WorkerHub/Assignments", "asl.distributed.v1.AssignmentsRequest")]
    public async Task Call_GarbageBody_IsInvalidArgumentNamingTheMessageAndTheCoordinatorKeepsServing(string method, string messageType)
    {
        var (status, message) = await Send(method, Frame(Garbage), TokenFor(method));

        Assert.Equal(StatusCode.InvalidArgument, status);
        Assert.Contains($"not a valid {messageType}", message, StringComparison.Ordinal);
        Assert.Empty((await _coordinator.Client().ListSweepsAsync(new ListSweepsRequest())).Sweeps);
    }

    [Fact]
    public async Task Call_GarbageBodyWithoutToken_IsUnauthenticatedNotInvalidArgument()
    {
        var (status, _) = await Send("/asl.distributed.v1.SweepService/SubmitSweep", Frame(Garbage), token: null);

        Assert.Equal(StatusCode.Unauthenticated, status);
    }

    [Fact]
    public async Task Call_WellFormedBodyOverRawHttp_PassesTheGateAndIsAnsweredByTheService()
    {
        // The gate only looks at the body: the service still reads the same bytes (here a sweep id it does not know).
        byte[] request = new GetSweepRequest { SweepId = "nowhere" }.ToByteArray();

        var (status, message) = await Send("/asl.distributed.v1.SweepService/GetSweep", Frame(request), TestCoordinator.Tokens.ClientToken);

        Assert.Equal(StatusCode.NotFound, status);
        Assert.Contains("nowhere", message, StringComparison.Ordinal);
    }

    private static byte[] Frame(byte[] payload) =>
        [0, (byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];

    private static string TokenFor(string method) =>
        method.Contains("WorkerHub", StringComparison.Ordinal) ? TestCoordinator.Tokens.WorkerToken : TestCoordinator.Tokens.ClientToken;

    private async Task<(StatusCode Status, string Message)> Send(string method, byte[] frame, string? token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _coordinator.Address + method)
        {
            Content = new ByteArrayContent(frame),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        // A trailers-only answer carries the status in the headers; a full one in the trailers.
        if (!response.TrailingHeaders.TryGetValues("grpc-status", out var status) && !response.Headers.TryGetValues("grpc-status", out status))
            Assert.Fail($"no grpc-status: HTTP {(int)response.StatusCode} {response.Version}; headers: {response.Headers}; trailers: {response.TrailingHeaders}");
        if (!response.TrailingHeaders.TryGetValues("grpc-message", out var message) && !response.Headers.TryGetValues("grpc-message", out message))
            message = [""];
        return ((StatusCode)int.Parse(status.Single(), System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(message.Single()));
    }
}
