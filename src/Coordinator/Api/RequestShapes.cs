using System.Collections.Frozen;
using Asl.Distributed.Contracts.V1;
using Google.Protobuf.Reflection;

namespace Asl.Distributed.Coordinator.Api;

/// <summary>
/// The request type of every coordinator method that takes exactly one request message (unary and server
/// streaming), by its HTTP/2 path <c>/package.Service/Method</c>.
/// </summary>
public static class RequestShapes
{
    private static readonly FrozenDictionary<string, MessageDescriptor> ByPath =
        new[] { WorkerHub.Descriptor, SweepService.Descriptor }
            .SelectMany(service => service.Methods)
            .Where(method => !method.IsClientStreaming)
            .ToFrozenDictionary(method => $"/{method.Service.FullName}/{method.Name}", method => method.InputType, StringComparer.Ordinal);

    /// <summary>The request type of the method at <paramref name="path"/>, or null when it is not one of ours or takes a stream.</summary>
    public static MessageDescriptor? Of(string path) => ByPath.GetValueOrDefault(path);
}
