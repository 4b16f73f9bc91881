namespace Asl.Distributed.Telemetry;

/// <summary>
/// The names every process emits under (docs/architecture.md, Telemetry names): the meters and activity sources the
/// telemetry set-up listens to, the metrics as <c>asl.&lt;area&gt;.&lt;thing&gt;</c> with units in the UCUM notation the
/// OpenTelemetry semantic conventions use, and the low-cardinality attributes (sweep, trial, rank). Hyperparameter
/// values never go on metrics; they go on the trial span.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The meter of the training library (every rank of every run).</summary>
    public const string TrainingMeter = "Asl.Distributed.Training";

    /// <summary>The meter of the coordinator (trials, scheduler, workers).</summary>
    public const string CoordinatorMeter = "Asl.Distributed.Coordinator";

    /// <summary>The activity source of the sweep, trial, attempt, epoch and all-reduce spans.</summary>
    public const string ActivitySource = "Asl.Distributed";

    /// <summary>Attribute: the sweep a measurement belongs to.</summary>
    public const string SweepId = "asl.sweep.id";

    /// <summary>Attribute: the trial a measurement belongs to.</summary>
    public const string TrialId = "asl.trial.id";

    /// <summary>Attribute: the data-parallel rank that measured.</summary>
    public const string Rank = "asl.rank";

    /// <summary>Attribute: a trial's state (for the coordinator's trial counts).</summary>
    public const string TrialState = "asl.trial.state";

    /// <summary>Attribute: a device (cuda:N) for device utilisation and memory.</summary>
    public const string Device = "asl.device";

    /// <summary>A metric's name, unit and description.</summary>
    public sealed record Metric(string Name, string Unit, string Description);

    /// <summary>The training loss, mean over the batches reported so far in the epoch.</summary>
    public static readonly Metric TrainLoss = new("asl.train.loss", "1", "Mean training loss of the epoch so far");

    /// <summary>The learning rate of the last step.</summary>
    public static readonly Metric LearningRate = new("asl.train.learning_rate", "1", "Learning rate of the last step");

    /// <summary>Training throughput of the epoch so far (the whole global batch on every rank).</summary>
    public static readonly Metric SamplesPerSecond = new("asl.train.samples_per_second", "{sample}/s", "Training images per second");

    /// <summary>One optimizer step, from its batch in hand to the step's end.</summary>
    public static readonly Metric StepDuration = new("asl.train.step.duration", "s", "Duration of one training step");

    /// <summary>Waiting for the loader's next batch.</summary>
    public static readonly Metric DataWait = new("asl.data.wait", "s", "Time a step waited for its batch");

    /// <summary>A step's gradient all-reduce (the buckets' time on the ring, overlapped with backward or not).</summary>
    public static readonly Metric AllReduceDuration = new("asl.allreduce.duration", "s", "Gradient all-reduce time of one step");

    /// <summary>Gradient bytes all-reduced.</summary>
    public static readonly Metric AllReduceBytes = new("asl.allreduce.bytes", "By", "Gradient bytes all-reduced");

    /// <summary>A step's all-reduce bus bandwidth, as nccl-tests defines it (bytes · 2(n − 1)/n per second).</summary>
    public static readonly Metric AllReduceBusBandwidth = new("asl.allreduce.busbw", "By/s", "All-reduce bus bandwidth of one step");

    /// <summary>Validation mAP of the regular model (percent).</summary>
    public static readonly Metric Map = new("asl.eval.map", "%", "Validation mAP of the regular model");

    /// <summary>Validation mAP of the EMA model (percent).</summary>
    public static readonly Metric MapEma = new("asl.eval.map_ema", "%", "Validation mAP of the EMA model");

    /// <summary>Per-class F1 at the threshold (percent).</summary>
    public static readonly Metric Cf1 = new("asl.eval.cf1", "%", "Per-class F1 at the threshold");

    /// <summary>Overall F1 at the threshold (percent).</summary>
    public static readonly Metric Of1 = new("asl.eval.of1", "%", "Overall F1 at the threshold");

    /// <summary>The probability gap Δp between positives and negatives.</summary>
    public static readonly Metric ProbabilityGap = new("asl.eval.prob_gap", "1", "Probability gap between positives and negatives");

    /// <summary>The loss's γ− at the end of the epoch (adaptive γ− moves it).</summary>
    public static readonly Metric GammaNeg = new("asl.loss.gamma_neg", "1", "The asymmetric loss's negative focusing parameter");

    /// <summary>GPU utilisation over NVML's last sample period.</summary>
    public static readonly Metric DeviceUtilization = new("asl.device.utilization", "1", "GPU utilisation over the driver's last sample period");

    /// <summary>GPU memory in use (by every process on the device).</summary>
    public static readonly Metric DeviceMemoryUsed = new("asl.device.memory.used", "By", "GPU memory in use");

    /// <summary>Trials of a sweep in each state.</summary>
    public static readonly Metric Trials = new("asl.trials", "{trial}", "Trials of a sweep in each state");

    /// <summary>Attempts waiting for a gang.</summary>
    public static readonly Metric QueueLength = new("asl.scheduler.queue.length", "{attempt}", "Trial attempts waiting for a gang of workers");

    /// <summary>From an attempt's queueing to its gang's allocation.</summary>
    public static readonly Metric GangWait = new("asl.scheduler.gang_wait", "s", "Time a trial attempt waited for its gang of workers");

    /// <summary>Registered workers.</summary>
    public static readonly Metric WorkersRegistered = new("asl.workers.registered", "{worker}", "Workers registered with the coordinator");

    /// <summary>Workers dropped for a missed heartbeat deadline.</summary>
    public static readonly Metric HeartbeatsMissed = new("asl.workers.heartbeats_missed", "{worker}", "Workers dropped for sending no heartbeat in time");
}
