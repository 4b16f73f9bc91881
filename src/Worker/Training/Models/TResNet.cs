using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// TResNet (Ridnik et al., WACV 2021), the backbone of the ASL paper: space-to-depth stem, basic blocks in stages
/// 1–2 and bottlenecks in 3–4, blur-pool anti-aliasing in strided blocks, squeeze-excitation in stages 1–3, average
/// pooling plus 1×1 conv in downsampling shortcuts, global average pooling and a linear head. Batch norm with leaky
/// ReLU replaces in-place ABN. State-dict keys follow timm's <c>tresnet.py</c> (<c>body.conv1.conv.weight</c>,
/// <c>body.layer3.0.conv2.bn.running_var</c>, <c>head.fc.weight</c>, ...).
/// </summary>
public sealed class TResNet : ImageClassifier
{
    /// <summary>Leaky ReLU slope inside the residual blocks (official code and timm: 1e-3).</summary>
    public const double BlockNegativeSlope = 1e-3;

    /// <summary>Leaky ReLU slope of the stem convolution (official code and timm: 1e-2).</summary>
    public const double StemNegativeSlope = 1e-2;

    [ComponentName(Name = "body")]
    private readonly Sequential _body;

    [ComponentName(Name = "head")]
    private readonly Sequential _head;

    private long _inplanes;

    private TResNet(string name, int[] layers, double widthFactor, int numClasses)
        : base(name, numClasses)
    {
        long planes = (long)(64 * widthFactor);
        _inplanes = planes;
        _body = nn.Sequential(
            ("s2d", new SpaceToDepth()),
            ("conv1", new ConvNormAct(3 * SpaceToDepth.BlockSize * SpaceToDepth.BlockSize, planes, kernelSize: 3, negativeSlope: StemNegativeSlope)),
            ("layer1", MakeLayer(bottleneck: false, planes, layers[0], stride: 1, useSe: true)),
            ("layer2", MakeLayer(bottleneck: false, planes * 2, layers[1], stride: 2, useSe: true)),
            ("layer3", MakeLayer(bottleneck: true, planes * 4, layers[2], stride: 2, useSe: true)),
            ("layer4", MakeLayer(bottleneck: true, planes * 8, layers[3], stride: 2, useSe: false)));
        NumFeatures = planes * 8 * TResNetBottleneck.Expansion;
        _head = nn.Sequential(("fc", nn.Linear(NumFeatures, numClasses)));
        RegisterComponents();
        Initialize();
    }

    /// <inheritdoc/>
    public override string HeadName => "head.fc";

    /// <summary>Width of the pooled features that feed the head.</summary>
    public long NumFeatures { get; }

    /// <summary>TResNet-M: stages [3, 4, 11, 3], width factor 1.0.</summary>
    public static TResNet TResNetM(int numClasses) => new("tresnet_m", [3, 4, 11, 3], 1.0, numClasses);

    /// <summary>TResNet-L: stages [4, 5, 18, 3], width factor 1.2.</summary>
    public static TResNet TResNetL(int numClasses) => new("tresnet_l", [4, 5, 18, 3], 1.2, numClasses);

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var features = _body.call(x);
        var pooled = features.mean([2, 3]);
        return _head.call(pooled).MoveToOuterDisposeScope();
    }

    private Sequential MakeLayer(bool bottleneck, long planes, int blocks, long stride, bool useSe)
    {
        long expansion = bottleneck ? TResNetBottleneck.Expansion : TResNetBasicBlock.Expansion;
        Sequential? downsample = null;
        if (stride != 1 || _inplanes != planes * expansion)
        {
            var projection = new ConvNormAct(_inplanes, planes * expansion, kernelSize: 1, negativeSlope: null);
            downsample = stride == 2
                ? nn.Sequential(nn.AvgPool2d(kernel_size: 2, stride: 2, ceil_mode: true, count_include_pad: false), projection)
                : nn.Sequential(projection);
        }

        var modules = new List<nn.Module<Tensor, Tensor>>(blocks);
        for (int i = 0; i < blocks; i++)
        {
            long blockStride = i == 0 ? stride : 1;
            var blockDownsample = i == 0 ? downsample : null;
            modules.Add(bottleneck
                ? new TResNetBottleneck(_inplanes, planes, blockStride, blockDownsample, useSe)
                : new TResNetBasicBlock(_inplanes, planes, blockStride, blockDownsample, useSe));
            _inplanes = planes * expansion;
        }

        return nn.Sequential(modules);
    }

    // The official initialisation: He-normal convs (fan-out), N(0, 0.01) head weights, and the last batch norm of
    // every residual branch at zero so each block starts as the identity.
    private void Initialize()
    {
        using var noGrad = no_grad();
        foreach (var module in modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.LeakyReLU);
                    break;
                case Linear linear:
                    nn.init.normal_(linear.weight, 0, 0.01);
                    break;
                case TResNetBasicBlock basic:
                    nn.init.zeros_(basic.ResidualNorm.weight);
                    break;
                case TResNetBottleneck bottleneck:
                    nn.init.zeros_(bottleneck.ResidualNorm.weight);
                    break;
            }
        }
    }
}
