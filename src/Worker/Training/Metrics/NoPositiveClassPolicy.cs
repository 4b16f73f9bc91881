namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// How mean average precision treats a class that has no positive target among the evaluated samples; its AP is
/// 0/0, so every library has to pick something.
/// </summary>
public enum NoPositiveClassPolicy
{
    /// <summary>
    /// Leave the class out of the mean (the usual choice, e.g. scikit-learn users and torchmetrics); its per-class AP
    /// is reported as NaN.
    /// </summary>
    Exclude,

    /// <summary>
    /// Count the class with AP 0, as the official ASL helper does (its 1e-8 epsilon turns 0/0 into 0); this lowers
    /// mAP on validation sets where rare classes happen to be absent.
    /// </summary>
    CountAsZero,
}
