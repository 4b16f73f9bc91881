using Asl.Distributed.Worker.Agent;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>The worker id's default and allowed form, and the peer endpoint's spelling.</summary>
public sealed class WorkerIdentityTests
{
    [Theory]
    [InlineData("node-7", 29500, "node-7-29500")]
    [InlineData("gpu box.example.org", 29501, "gpu-box.example.org-29501")]
    [InlineData("hôte", 1, "h-te-1")]
    public void DefaultId_HostAndPeerPort_OnlyAllowedCharacters(string host, int port, string expected)
    {
        Assert.Equal(expected, WorkerIdentity.DefaultId(host, port));
        Assert.Null(WorkerIdentity.Check(expected));
    }

    [Fact]
    public void DefaultId_VeryLongHost_KeepsThePortWithin128Characters()
    {
        string id = WorkerIdentity.DefaultId(new string('h', 200), 29500);
        Assert.Equal(128, id.Length);
        Assert.EndsWith("-29500", id);
    }

    [Theory]
    [InlineData("", "has 0 characters")]
    [InlineData("a b", "holds ' '")]
    [InlineData("w/1", "holds '/'")]
    public void Check_BadId_NamesTheProblemAndTheAllowedForm(string id, string problem)
    {
        string? message = WorkerIdentity.Check(id);
        Assert.NotNull(message);
        Assert.Contains(problem, message);
        Assert.Contains("allowed: 1 to 128 letters, digits, '.', '-', '_'", message);
    }

    [Theory]
    [InlineData("10.0.0.1", 29500, "10.0.0.1:29500")]
    [InlineData("worker-3.svc", 7, "worker-3.svc:7")]
    [InlineData("fd00::1", 29500, "[fd00::1]:29500")]
    public void Endpoint_HostAndPort_AsPeersDialIt(string host, int port, string expected) => Assert.Equal(expected, WorkerIdentity.Endpoint(host, port));
}
