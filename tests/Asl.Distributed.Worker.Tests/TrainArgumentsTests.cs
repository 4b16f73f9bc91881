namespace Asl.Distributed.Worker.Tests;

/// <summary>The arguments of <c>asl-worker train</c>: overrides, --resume and the torchrun-like placement flags.</summary>
public sealed class TrainArgumentsTests
{
    [Fact]
    public void Parse_ConfigOverridesAndFlagsInAnyOrder()
    {
        var parsed = TrainArguments.Parse(["c.yaml", "loss.gamma_neg=2", "--resume", "--nproc", "3", "run.batch_size=6"]);

        Assert.Equal("c.yaml", parsed.ConfigPath);
        Assert.Equal(["loss.gamma_neg=2", "run.batch_size=6"], parsed.Overrides);
        Assert.True(parsed.Resume);
        Assert.True(parsed.Launches);
        Assert.Equal(3, parsed.ProcessCount);
        Assert.Equal(["train", "c.yaml", "loss.gamma_neg=2", "run.batch_size=6", "--resume"], parsed.RankArguments());
    }

    [Fact]
    public void Parse_ManualRank_ReadsRankWorldSizeAndPeers()
    {
        var parsed = TrainArguments.Parse(["c.yaml", "--rank=1", "--world-size", "2", "--peers", "10.0.0.1:29500, 10.0.0.2:29500"]);

        Assert.Equal((1, 2), (parsed.Rank, parsed.WorldSize));
        Assert.Equal(["10.0.0.1:29500", "10.0.0.2:29500"], parsed.Peers);
        Assert.False(parsed.Launches);
    }

    [Theory]
    [InlineData("--rank 0 --world-size 2", "go together")]
    [InlineData("--rank 2 --world-size 2 --peers a:1,b:2", "--rank 2 is out of range")]
    [InlineData("--rank 0 --world-size 3 --peers a:1,b:2", "lists 2 address(es) but --world-size is 3")]
    [InlineData("--nproc 2 --rank 0 --world-size 2 --peers a:1,b:2", "cannot be combined")]
    [InlineData("--nproc 0", "--nproc '0' is out of range")]
    [InlineData("--nproc", "Required argument missing for option: '--nproc'")]
    [InlineData("--ranks 2", "unknown option '--ranks'")]
    public void Parse_BadPlacement_NamesTheProblem(string flags, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => TrainArguments.Parse(["c.yaml", .. flags.Split(' ')]));
        Assert.Contains(message, error.Message);
    }
}
