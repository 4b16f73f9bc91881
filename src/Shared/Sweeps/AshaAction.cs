namespace Asl.Distributed.Sweeps;

/// <summary>What a trial does after an epoch, by ASHA.</summary>
public enum AshaAction
{
    /// <summary>Train the next epoch.</summary>
    Continue,
    /// <summary>Stop early: the result fell below the rung's cutoff (or is NaN).</summary>
    Stop,
    /// <summary>The trial has trained max_epochs: it is done, not stopped.</summary>
    Complete,
}
