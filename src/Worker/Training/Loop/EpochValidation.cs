using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Collectives;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// Validates the regular and the EMA model after an epoch, as the official script does, on rank 0's BatchNorm
/// statistics (they stay per rank while training, as DDP keeps them). Non-finite scores fail the run under
/// <c>run.nan_policy: fail</c>; under <c>skip</c> the epoch is recorded as diverged and training goes on.
/// </summary>
internal sealed class EpochValidation(TrainingModels models, Validator validator, IEpochBatches batches, ProcessGroup group, NanPolicy nanPolicy)
{
    public (ValidationResult Regular, ValidationResult? Ema) Run(int epoch, CancellationToken cancellationToken)
    {
        DataParallel.ModelSync.BroadcastBuffers(group, models.Model, cancellationToken);
        if (models.Ema is { } ema)
            DataParallel.ModelSync.BroadcastBuffers(group, ema.Ema, cancellationToken);
        var regular = Check(validator.Evaluate(models.Model, batches, epoch, cancellationToken, group), epoch, "regular");
        var averaged = models.Ema is null ? null
            : Check(validator.Evaluate((nn.Module<Tensor, Tensor>)models.Ema.Ema, batches, epoch, cancellationToken, group), epoch, "EMA");
        return (regular, averaged);
    }

    private ValidationResult Check(ValidationResult result, int epoch, string model) =>
        result.Diverged && nanPolicy == NanPolicy.Fail ? throw new NonFiniteScoresException(epoch, model) : result;
}
