using Asl.Distributed.Runs;
using Message = Asl.Distributed.Contracts.V1.EpochMetrics;
using MessageDurations = Asl.Distributed.Contracts.V1.EpochDurations;

namespace Asl.Distributed.Contracts;

/// <summary>An epoch's metrics between the trainer's record (<see cref="EpochMetrics"/>) and its wire message.</summary>
public static class EpochMetricsMessages
{
    public static Message ToMessage(this EpochMetrics m)
    {
        var message = new Message
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
        if (m.ClassAp is not null)
            message.ClassAp.AddRange(m.ClassAp);
        if (m.ClassApEma is not null)
            message.ClassApEma.AddRange(m.ClassApEma);
        if (m.Durations is { } d)
            message.Durations = new MessageDurations { DataWait = d.DataWait, ForwardBackward = d.ForwardBackward, AllReduce = d.AllReduce, Validation = d.Validation };
        return message;
    }

    public static EpochMetrics ToRecord(this Message m) => new(
        m.Epoch, m.Step, m.TrainLoss, m.LearningRate, m.Map, m.MapEma, m.ValLoss, m.Cf1, m.Of1, m.ProbGap, m.GammaNeg,
        m.ImagesPerSecond, m.Seconds, m.SkippedSteps, m.WorldSize, m.CommunicationShare, m.Diverged,
        m.ClassAp.Count > 0 ? [.. m.ClassAp] : null,
        m.ClassApEma.Count > 0 ? [.. m.ClassApEma] : null,
        m.Durations is { } d ? new EpochDurations(d.DataWait, d.ForwardBackward, d.AllReduce, d.Validation) : null);
}
