using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Asl.Distributed.Coordinator.Api;

/// <summary>
/// Checks every call's <c>authorization: Bearer</c> token: WorkerHub takes the worker token, everything else but
/// health checks the client token. No token or an unknown one fails with UNAUTHENTICATED; the other role's token
/// with PERMISSION_DENIED. Tokens are compared in constant time.
/// </summary>
public sealed class BearerTokenInterceptor(AccessTokens tokens) : Interceptor
{
    private const string WorkerService = "/asl.distributed.v1.WorkerHub/";
    private const string HealthService = "/grpc.health.v1.Health/";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (context.Method.StartsWith(HealthService, StringComparison.Ordinal))
            return;
        var required = context.Method.StartsWith(WorkerService, StringComparison.Ordinal) ? CallerRole.Worker : CallerRole.Client;
        var presented = RoleOf(context.RequestHeaders.GetValue("authorization"));
        if (presented is null)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a valid 'authorization: Bearer <token>' header is required"));
        if (presented != required)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"a {Name(presented.Value)} token cannot call {context.Method}; it needs the {Name(required)} token"));
    }

    private CallerRole? RoleOf(string? header)
    {
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return null;
        var presented = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        // Both compared every time, so the time taken does not tell which one matched.
        bool worker = CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(tokens.WorkerToken));
        bool client = CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(tokens.ClientToken));
        return worker ? CallerRole.Worker : client ? CallerRole.Client : null;
    }

    private static string Name(CallerRole role) => role == CallerRole.Worker ? "worker" : "client";
}
