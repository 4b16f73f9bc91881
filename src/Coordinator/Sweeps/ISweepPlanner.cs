namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>Reads a sweep spec into its plan.</summary>
public interface ISweepPlanner
{
    /// <summary>The plan of a spec in canonical YAML.</summary>
    /// <exception cref="Asl.Distributed.Configuration.ConfigException">The spec is invalid; every problem is listed.</exception>
    ISweepPlan Parse(string specYaml);
}
