using Asl.Distributed.Configuration.Training;
using TorchSharp.Modules;

namespace Asl.Distributed.Training.Loop;

/// <summary>The configured schedule (OneCycle or constant) applied to Adam's parameter groups before each step.</summary>
internal sealed class StepSchedule
{
    private readonly OneCycleSchedule? _oneCycle;
    private readonly double _lr;
    private readonly double _beta2;
    private readonly bool _cycleMomentum;

    public StepSchedule(TrainingConfig config, long totalSteps)
    {
        var s = config.Schedule;
        _lr = config.Optimizer.Lr;
        _beta2 = config.Optimizer.Beta2;
        _cycleMomentum = s.CycleMomentum;
        if (s.Kind == ScheduleKind.OneCycle)
            _oneCycle = new OneCycleSchedule(_lr, totalSteps, s.PctStart, s.DivFactor, s.FinalDivFactor, s.BaseMomentum, s.MaxMomentum);
    }

    public double LearningRate(long step) => _oneCycle?.LearningRate(step) ?? _lr;

    public void Apply(Adam optimizer, long step)
    {
        double lr = LearningRate(step);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = lr;
            if (_oneCycle is not null && _cycleMomentum)
                ((Adam.ParamGroup)group).Betas = (_oneCycle.Beta1(step), _beta2);
        }
    }
}
