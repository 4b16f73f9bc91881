namespace Asl.Distributed.Configuration.Schema;

/// <summary>The canonical spelling of an enum value in configs (<c>synthetic-shapes</c>, <c>tresnet_l</c>).</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class ConfigNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
