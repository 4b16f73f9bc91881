namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary>Small sweeps that really train (tiny synthetic sets, a small CNN at 32 px, one thread per worker).</summary>
internal static class EndToEndSpecs
{
    public static string Tiny(string name, int epochs, params double[] gammaNeg) => $$"""
        name: {{name}}
        {{Config(epochs)}}
        search_space:
          loss.gamma_neg: {grid: [{{string.Join(", ", gammaNeg)}}]}
        baselines:
          - {loss.preset: bce}
        algorithm: {kind: grid}
        """;

    /// <summary>One trial (γ− <paramref name="gammaNeg"/>) on a gang of two workers, no baseline.</summary>
    public static string TwoRanks(string name, int epochs, double gammaNeg) => $$"""
        name: {{name}}
        {{Config(epochs)}}
        search_space:
          loss.gamma_neg: {grid: [{{gammaNeg}}]}
        algorithm: {kind: grid}
        workers_per_trial: 2
        """;

    private static string Config(int epochs) => $$"""
        config:
          data:
            kind: synthetic-shapes
            synthetic: {classes: 6, train_images: 64, val_images: 32, image_size: 32}
          model: {name: small_cnn}
          image: {size: 32}
          run: {batch_size: 16, threads: 1, loader_workers: 1}
          schedule: {epochs: {{epochs}}, stop_epoch: 0}
        """;
}
