using System.Security.Cryptography;
using System.Text;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Api;

/// <summary>
/// Who may make a call: WorkerHub takes the worker token, everything else but health checks the client token. No
/// token or an unknown one is UNAUTHENTICATED; the other role's token is PERMISSION_DENIED. Tokens are compared in
/// constant time.
/// </summary>
public static class CallAccess
{
    private const string WorkerService = "/asl.distributed.v1.WorkerHub/";
    private const string HealthService = "/grpc.health.v1.Health/";

    /// <summary>The status a call to <paramref name="method"/> (<c>/package.Service/Method</c>) fails with, or null when it may go on.</summary>
    public static Status? Refusal(string method, string? authorization, AccessTokens tokens)
    {
        if (method.StartsWith(HealthService, StringComparison.Ordinal))
            return null;
        var required = method.StartsWith(WorkerService, StringComparison.Ordinal) ? CallerRole.Worker : CallerRole.Client;
        var presented = RoleOf(authorization, tokens);
        if (presented is null)
            return new Status(StatusCode.Unauthenticated, "a valid 'authorization: Bearer <token>' header is required");
        if (presented != required)
            return new Status(StatusCode.PermissionDenied, $"a {Name(presented.Value)} token cannot call {method}; it needs the {Name(required)} token");
        return null;
    }

    private static CallerRole? RoleOf(string? header, AccessTokens tokens)
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
