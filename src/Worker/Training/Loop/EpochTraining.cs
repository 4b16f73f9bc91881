namespace Asl.Distributed.Training.Loop;

/// <summary>What training one epoch measured: mean loss of the steps taken, images, where the step counters stand, and its time split.</summary>
internal sealed record EpochTraining(double Loss, long Images, long Step, long SkippedSteps, double Seconds, double DataWaitSeconds,
    double ForwardBackwardSeconds, double ExchangeWaitSeconds);
