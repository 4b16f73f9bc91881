using Asl.Distributed.Training.Loop;
using TorchSharp;

namespace Asl.Distributed.Training.Tests.Loop;

public sealed class OneCycleScheduleTests
{
    [Fact]
    public void LearningRateAndBeta1_EveryStep_EqualTorchSharpsOneCycleLR()
    {
        const int total = 200;
        var schedule = new OneCycleSchedule(2e-4, total, PctStart: 0.2);
        using var parameter = new TorchSharp.Modules.Parameter(torch.zeros(3));
        var adam = torch.optim.Adam([parameter], lr: 2e-4);
        var reference = torch.optim.lr_scheduler.OneCycleLR(adam, max_lr: 2e-4, total_steps: total, pct_start: 0.2);
        for (int step = 0; step < total; step++)
        {
            var group = adam.ParamGroups.Single();
            Assert.Equal(group.LearningRate, schedule.LearningRate(step), 12);
            Assert.Equal(((TorchSharp.Modules.Adam.ParamGroup)group).Betas.Item1, schedule.Beta1(step), 12);
            adam.step();
            reference.step();
        }
    }

    [Fact]
    public void Endpoints_OfficialRecipe_AreStartPeakAndFinal()
    {
        var schedule = new OneCycleSchedule(1e-4, 1000, PctStart: 0.2);
        Assert.Equal(1e-4 / 25, schedule.LearningRate(0), 15);
        Assert.Equal(0.95, schedule.Beta1(0), 15);
        Assert.Equal(1e-4, schedule.LearningRate(199), 15); // the warm-up ends at pct_start·total − 1 = 199
        Assert.Equal(0.85, schedule.Beta1(199), 15);
        Assert.Equal(1e-4 / 25 / 1e4, schedule.LearningRate(999), 15);
        Assert.Equal(0.95, schedule.Beta1(999), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.LearningRate(1000));
    }
}
