using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// Exponential moving average of a model's weights and buffers, updated every step as the official script does:
/// ema ← decay·ema + (1 − decay)·model for every floating-point entry of the state dict; integer buffers
/// (BatchNorm's num_batches_tracked) are copied.
/// </summary>
public sealed class ModelEma
{
    private readonly (Tensor Ema, Tensor Model)[] _pairs;
    private readonly Dictionary<ScalarType, Tensor> _weights = [];
    private readonly Device _device;

    /// <summary>
    /// Pairs <paramref name="ema"/> (a second instance of the same architecture) with <paramref name="model"/> and
    /// copies the model's state into it.
    /// </summary>
    public ModelEma(nn.Module ema, nn.Module model, double decay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decay);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(decay, 1);
        Ema = ema;
        Decay = decay;
        var modelState = model.state_dict();
        var emaState = ema.state_dict();
        _pairs = modelState.Select(entry => (emaState.TryGetValue(entry.Key, out var e) ? e
            : throw new ArgumentException($"the EMA model has no entry '{entry.Key}'", nameof(ema)), entry.Value)).ToArray();
        _device = _pairs.Length > 0 ? _pairs[0].Model.device : CPU;
        using var noGrad = torch.no_grad();
        foreach (var (e, m) in _pairs)
            e.copy_(m);
        ema.eval();
    }

    /// <summary>The averaged model.</summary>
    public nn.Module Ema { get; }

    /// <summary>The decay per update.</summary>
    public double Decay { get; }

    private Tensor Weight(ScalarType dtype)
    {
        if (!_weights.TryGetValue(dtype, out var weight))
            _weights[dtype] = weight = torch.tensor(1 - Decay, dtype, _device).DetachFromDisposeScope(); // outlives the step's scope
        return weight;
    }

    /// <summary>One update after an optimizer step.</summary>
    public void Update()
    {
        using var noGrad = torch.no_grad();
        foreach (var (e, m) in _pairs)
        {
            if (e.is_floating_point())
                e.lerp_(m, Weight(e.dtype)); // ema + (1 − decay)·(model − ema): one pass instead of two
            else
                e.copy_(m);
        }
    }
}
