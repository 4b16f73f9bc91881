using Asl.Distributed.Coordinator.Storage;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>The values of the store's test-only fault point variable (the hold itself is used by the end-to-end kill tests).</summary>
public sealed class StoreWriteHoldTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Parse_Unset_IsNoHold(string? value) => Assert.Null(StoreWriteHold.Parse(value));

    [Theory]
    [InlineData("2 before-commit of grain 'trial/s.0000'")]
    [InlineData("1 after-commit registry")]
    public void Parse_WellFormed_IsAHold(string value) => Assert.NotNull(StoreWriteHold.Parse(value));

    [Theory]
    [InlineData("0 before-commit x")]
    [InlineData("two before-commit x")]
    [InlineData("2 during-commit x")]
    [InlineData("2 before-commit")]
    public void Parse_Malformed_ThrowsNamingTheVariableAndTheAllowedForm(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => StoreWriteHold.Parse(value));

        Assert.Contains($"{StoreWriteHold.Variable} is '{value}'", e.Message);
        Assert.Contains("<n> <before-commit|after-commit> <text of the operation>", e.Message);
    }
}
