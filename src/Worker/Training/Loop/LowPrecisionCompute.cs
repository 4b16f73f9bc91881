using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// Mixed precision without autocast (TorchSharp has none): a second copy of the model in bfloat16 or float16 runs
/// forward and backward, while the float32 master copy holds the weights the optimizer updates. Before each step
/// the master weights are cast into the compute copy; after backward the gradients are cast up into the master's
/// gradients and the compute copy's BatchNorm statistics are copied back. The loss stays in float32.
/// </summary>
internal sealed class LowPrecisionCompute
{
    private readonly (Parameter Master, Parameter Compute)[] _parameters;
    private readonly (Tensor Master, Tensor Compute)[] _buffers;

    public LowPrecisionCompute(nn.Module<Tensor, Tensor> master, nn.Module<Tensor, Tensor> compute, ScalarType dtype)
    {
        DType = dtype;
        Model = compute;
        compute.to(dtype);
        _parameters = master.named_parameters().Zip(compute.named_parameters(), (m, c) =>
            m.name == c.name ? (m.parameter, c.parameter) : throw new ArgumentException($"parameter order differs: {m.name} vs {c.name}")).ToArray();
        _buffers = master.named_buffers().Zip(compute.named_buffers(), (m, c) => (m.buffer, c.buffer)).ToArray();
        foreach (var (m, _) in _parameters)
            m.grad = torch.zeros_like(m);
    }

    /// <summary>The low-precision copy that runs forward and backward.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    public ScalarType DType { get; }

    /// <summary>The float32 master parameters, whose gradients <see cref="PullGradientsAndBuffers"/> fills.</summary>
    public IEnumerable<Parameter> MasterParameters => _parameters.Select(p => p.Master);

    /// <summary>Casts the master weights and buffers into the compute copy and clears its gradients.</summary>
    public void PushWeights()
    {
        using var noGrad = torch.no_grad();
        foreach (var (m, c) in _parameters)
        {
            c.copy_(m);
            c.grad = null;
        }
        foreach (var (m, c) in _buffers)
            c.copy_(m);
    }

    /// <summary>Casts the compute copy's gradients into the master's and brings its BatchNorm statistics back.</summary>
    public void PullGradientsAndBuffers()
    {
        using var noGrad = torch.no_grad();
        foreach (var (m, c) in _parameters)
        {
            if (c.grad is { } g)
                m.grad!.copy_(g);
            else
                m.grad!.zero_();
        }
        foreach (var (m, c) in _buffers)
            m.copy_(c);
    }
}
