using TorchSharp;

namespace Asl.Distributed.Training.Tests;

/// <summary>TorchSharp's natives load inside the test host (the build's GLIBCXX fix is in effect).</summary>
public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void MatrixProduct_InTestHost_EqualsHandComputedValue()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = torch.tensor(new float[] { 5, 6, 7, 8 }).reshape(2, 2);
        using var c = a.matmul(b);
        // [[1·5+2·7, 1·6+2·8], [3·5+4·7, 3·6+4·8]]
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }
}
