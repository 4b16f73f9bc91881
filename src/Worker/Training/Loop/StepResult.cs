namespace Asl.Distributed.Training.Loop;

/// <summary>What a step that was taken measured: the global batch's loss and images, and how long the step waited on the other ranks.</summary>
internal readonly record struct StepResult(double Loss, long Images, TimeSpan ExchangeWait);
