using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Models;

/// <summary>
/// ResNet as in TorchVision (He et al. 2016, v1.5 bottlenecks), with TorchVision's state-dict keys (<c>conv1</c>,
/// <c>bn1</c>, <c>layer1.0.conv1</c>, <c>layer1.0.downsample.0</c>, <c>fc</c>, ...) and TorchVision's
/// initialisation without zero-initialised residual batch norms.
/// </summary>
public sealed class ResNet : ImageClassifier
{
    [ComponentName(Name = "conv1")]
    private readonly Conv2d _conv1;

    [ComponentName(Name = "bn1")]
    private readonly ScalarSafeBatchNorm2d _bn1;

    [ComponentName(Name = "relu")]
    private readonly nn.Module<Tensor, Tensor> _relu;

    [ComponentName(Name = "maxpool")]
    private readonly nn.Module<Tensor, Tensor> _maxpool;

    [ComponentName(Name = "layer1")]
    private readonly Sequential _layer1;

    [ComponentName(Name = "layer2")]
    private readonly Sequential _layer2;

    [ComponentName(Name = "layer3")]
    private readonly Sequential _layer3;

    [ComponentName(Name = "layer4")]
    private readonly Sequential _layer4;

    [ComponentName(Name = "avgpool")]
    private readonly nn.Module<Tensor, Tensor> _avgpool;

    [ComponentName(Name = "fc")]
    private readonly Linear _fc;

    private long _inplanes = 64;

    private ResNet(string name, bool bottleneck, int[] layers, int numClasses)
        : base(name, numClasses)
    {
        _conv1 = nn.Conv2d(3, 64, kernel_size: 7, stride: 2, padding: 3, bias: false);
        _bn1 = new ScalarSafeBatchNorm2d(64);
        _relu = nn.ReLU();
        _maxpool = nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        _layer1 = MakeLayer(bottleneck, 64, layers[0], stride: 1);
        _layer2 = MakeLayer(bottleneck, 128, layers[1], stride: 2);
        _layer3 = MakeLayer(bottleneck, 256, layers[2], stride: 2);
        _layer4 = MakeLayer(bottleneck, 512, layers[3], stride: 2);
        _avgpool = nn.AdaptiveAvgPool2d(1);
        _fc = nn.Linear(512 * (bottleneck ? ResNetBottleneck.Expansion : ResNetBasicBlock.Expansion), numClasses);
        RegisterComponents();
        Initialize();
    }

    /// <inheritdoc/>
    public override string HeadName => "fc";

    /// <summary>ResNet-18: basic blocks, stages [2, 2, 2, 2].</summary>
    public static ResNet ResNet18(int numClasses) => new("resnet18", bottleneck: false, [2, 2, 2, 2], numClasses);

    /// <summary>ResNet-50: bottlenecks, stages [3, 4, 6, 3].</summary>
    public static ResNet ResNet50(int numClasses) => new("resnet50", bottleneck: true, [3, 4, 6, 3], numClasses);

    /// <summary>ResNet-101: bottlenecks, stages [3, 4, 23, 3].</summary>
    public static ResNet ResNet101(int numClasses) => new("resnet101", bottleneck: true, [3, 4, 23, 3], numClasses);

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = _maxpool.call(_relu.call(_bn1.call(_conv1.call(x))));
        y = _layer4.call(_layer3.call(_layer2.call(_layer1.call(y))));
        return _fc.call(_avgpool.call(y).flatten(1)).MoveToOuterDisposeScope();
    }

    private Sequential MakeLayer(bool bottleneck, long planes, int blocks, long stride)
    {
        long expansion = bottleneck ? ResNetBottleneck.Expansion : ResNetBasicBlock.Expansion;
        Sequential? downsample = null;
        if (stride != 1 || _inplanes != planes * expansion)
        {
            downsample = nn.Sequential(
                nn.Conv2d(_inplanes, planes * expansion, kernel_size: 1, stride: stride, bias: false),
                new ScalarSafeBatchNorm2d(planes * expansion));
        }

        var modules = new List<nn.Module<Tensor, Tensor>>(blocks);
        for (int i = 0; i < blocks; i++)
        {
            modules.Add(bottleneck
                ? new ResNetBottleneck(_inplanes, planes, i == 0 ? stride : 1, i == 0 ? downsample : null)
                : new ResNetBasicBlock(_inplanes, planes, i == 0 ? stride : 1, i == 0 ? downsample : null));
            _inplanes = planes * expansion;
        }

        return nn.Sequential(modules);
    }

    private void Initialize()
    {
        using var noGrad = no_grad();
        foreach (var module in modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case ScalarSafeBatchNorm2d bn:
                    nn.init.ones_(bn.weight);
                    nn.init.zeros_(bn.bias);
                    break;
            }
        }
    }
}
