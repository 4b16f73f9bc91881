using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Worker.Tests.Agent.TestHub;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>How the agent heartbeats: on the Heartbeats stream, or by Heartbeat calls where the coordinator lacks it.</summary>
[Collection(InProcessAgents.Name)]
public sealed class HeartbeatWayTests
{
    [Fact]
    public async Task Join_CoordinatorWithTheStream_HeartbeatsAsMessagesOnIt()
    {
        var hub = new StandInHub();
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server, "streaming");

        var first = await Hang.Guard(hub.WaitForCallAsync(c => c.Request is HeartbeatRequest), "a heartbeat");
        var second = await Hang.Guard(hub.WaitForCallAsync(c => c.Request is HeartbeatRequest && c.Sequence > first.Sequence), "a second heartbeat");

        Assert.Equal(["Heartbeats", "Heartbeats"], new[] { first.Method, second.Method });
        Assert.Equal("streaming", ((HeartbeatRequest)second.Request).WorkerId);
    }

    [Fact]
    public async Task Join_CoordinatorWithoutTheStream_HeartbeatsByCalls()
    {
        var hub = new StandInHub { HeartbeatStream = false };
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server, "calling");

        var first = await Hang.Guard(hub.WaitForCallAsync(c => c.Request is HeartbeatRequest), "a heartbeat");
        var second = await Hang.Guard(hub.WaitForCallAsync(c => c.Request is HeartbeatRequest && c.Sequence > first.Sequence), "a second heartbeat");

        Assert.Equal(["Heartbeat", "Heartbeat"], new[] { first.Method, second.Method });
        Assert.Equal("calling", ((HeartbeatRequest)second.Request).WorkerId);
        Assert.Single(hub.Requests<RegisterWorkerRequest>());
    }
}
