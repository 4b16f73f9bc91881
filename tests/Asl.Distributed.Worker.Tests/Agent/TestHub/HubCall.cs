using Google.Protobuf;
using Grpc.Core;

namespace Asl.Distributed.Worker.Tests.Agent.TestHub;

/// <summary>
/// One call the stand-in hub received: its order of arrival over every run of the server, which run of the server
/// took it (1 for the first start, 2 after a restart, …), the method, the request, and the status it was refused
/// with (null when it was answered).
/// </summary>
public sealed record HubCall(long Sequence, int ServerRun, string Method, IMessage Request, StatusCode? Refusal);
