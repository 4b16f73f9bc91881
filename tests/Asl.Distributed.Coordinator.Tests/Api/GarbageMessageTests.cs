using System.Net;
using System.Net.Http.Headers;
using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Tests.Api;

/// <summary>Bytes that are not a protobuf message, sent as a gRPC call over raw HTTP/2.</summary>
public sealed class GarbageMessageTests : IAsyncLifetime
{
    private TestCoordinator _coordinator = null!;

    public async Task InitializeAsync() => _coordinator = await TestCoordinator.Start();

    public async Task DisposeAsync() => await _coordinator.DisposeAsync();

    [Theory]
    [InlineData("/asl.distributed.v1.SweepService/SubmitSweep")]
    [InlineData("/asl.distributed.v1.WorkerHub/ReportEpoch")]
    public async Task Call_GarbageBody_FailsWithAGrpcErrorAndTheCoordinatorKeepsServing(string method)
    {
        // A length-prefixed gRPC frame whose payload is not protobuf (an invalid wire type and a length past the end).
        byte[] payload = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7A, 0x01];
        byte[] frame = [0, 0, 0, 0, (byte)payload.Length, .. payload];
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _coordinator.Address + method)
        {
            Content = new ByteArrayContent(frame),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            method.Contains("WorkerHub", StringComparison.Ordinal) ? TestCoordinator.Tokens.WorkerToken : TestCoordinator.Tokens.ClientToken);

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.True(response.TrailingHeaders.TryGetValues("grpc-status", out var values) || response.Headers.TryGetValues("grpc-status", out values),
            $"HTTP {(int)response.StatusCode} {response.Version}; headers: {response.Headers}; trailers: {response.TrailingHeaders}");
        string status = values.Single();
        // Today UNKNOWN ("Exception was thrown by handler"): grpc-dotnet parses the message before any interceptor runs.
        Assert.NotEqual("0", status);
        Assert.Empty((await _coordinator.Client().ListSweepsAsync(new ListSweepsRequest())).Sweeps);
    }
}
