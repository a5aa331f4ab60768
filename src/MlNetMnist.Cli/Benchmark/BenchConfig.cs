namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// One benchmarked configuration: a preset, or an ensemble of <see cref="EnsembleSize"/> networks of a
/// preset (member <c>i</c> of the run with seed <c>s</c> has seed <c>s * 100 + i</c>, so the members of
/// different runs never share a seed). <paramref name="Adjust"/>, when given, changes the preset's
/// options (the previous default recipe, kept as the baseline the benchmark measures itself).
/// </summary>
internal sealed record BenchConfig(string Name, string Preset, int EnsembleSize, Action<TorchCnnOptions>? Adjust = null)
{
    /// <summary>The ensemble configuration: 5 networks of the <c>fast</c> preset.</summary>
    public static readonly BenchConfig Ensemble = new("ensemble", "fast", 5);

    /// <summary>
    /// The default recipe of version 0.1 (2 epochs, one-cycle to lr 0.02, no label smoothing): the
    /// baseline of the "99% sooner" ratio, run by the same benchmark on the same machine.
    /// </summary>
    public static readonly BenchConfig PreviousFast = new("fast-0.1", "fast", 1, o =>
    {
        o.Epochs = 2;
        o.LearningRate = 0.02;
        o.LabelSmoothing = 0;
    });

    /// <summary>Every configuration, in the order the benchmark runs them.</summary>
    public static IReadOnlyList<string> Names { get; } = [TorchCnnPresets.Names[0], PreviousFast.Name, .. TorchCnnPresets.Names.Skip(1), Ensemble.Name];

    public bool IsEnsemble => EnsembleSize > 1;

    /// <summary>The configuration called <paramref name="name"/>.</summary>
    /// <exception cref="UsageException">No such configuration.</exception>
    public static BenchConfig Get(string name)
    {
        if (name == Ensemble.Name) return Ensemble;
        if (name == PreviousFast.Name) return PreviousFast;
        if (!TorchCnnPresets.Names.Contains(name))
            throw new UsageException($"--configs: unknown configuration '{name}'; expected some of {string.Join(", ", Names)}.");
        return new BenchConfig(name, name, 1);
    }

    /// <summary>The options of the preset with <paramref name="settings"/> and <paramref name="seed"/> applied.</summary>
    public TorchCnnOptions Options(BenchSettings settings, int seed)
    {
        var options = TorchCnnPresets.Get(Preset);
        Adjust?.Invoke(options);
        return settings.Apply(options, seed);
    }

    /// <summary>The seeds of the members of the run with seed <paramref name="seed"/>.</summary>
    public IReadOnlyList<int> MemberSeeds(int seed) => IsEnsemble ? Enumerable.Range(0, EnsembleSize).Select(i => checked(seed * 100 + i)).ToArray() : [seed];

    /// <summary>One line for reports.</summary>
    public string Describe(BenchSettings settings, int seed)
    {
        string recipe = TrainingOptions.Describe(Options(settings, seed));
        // The seed varies per run and is reported per run.
        recipe = System.Text.RegularExpressions.Regex.Replace(recipe, @", seed \d+", "");
        if (IsEnsemble) recipe = $"ensemble of {EnsembleSize} networks (mean of their probabilities; member i of the run with seed s has seed 100 s + i), each: {recipe}";
        else if (settings.CheckEvery is int every) recipe += $", accuracy checked every {every} batches";
        return recipe;
    }
}
