using Asl.Distributed.Runs;
using Wire = Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Worker.Agent;

/// <summary>An epoch's metrics (a metrics.jsonl line) as the worker API carries them.</summary>
internal static class WireMetrics
{
    public static Wire.EpochMetrics From(EpochMetrics m)
    {
        var wire = new Wire.EpochMetrics
        {
            Epoch = m.Epoch,
            Step = m.Step,
            TrainLoss = m.TrainLoss,
            LearningRate = m.LearningRate,
            Map = m.Map,
            MapEma = m.MapEma,
            ValLoss = m.ValLoss,
            Cf1 = m.Cf1,
            Of1 = m.Of1,
            ProbGap = m.ProbGap,
            GammaNeg = m.GammaNeg,
            ImagesPerSecond = m.ImagesPerSecond,
            Seconds = m.Seconds,
            SkippedSteps = m.SkippedSteps,
            WorldSize = m.WorldSize,
            CommunicationShare = m.CommunicationShare,
            Diverged = m.Diverged,
        };
        wire.ClassAp.AddRange(m.ClassAp ?? []);
        wire.ClassApEma.AddRange(m.ClassApEma ?? []);
        if (m.Durations is { } d)
        {
            wire.Durations = new Wire.EpochDurations
            {
                DataWait = d.DataWait,
                ForwardBackward = d.ForwardBackward,
                AllReduce = d.AllReduce,
                Validation = d.Validation,
            };
        }
        return wire;
    }
}
