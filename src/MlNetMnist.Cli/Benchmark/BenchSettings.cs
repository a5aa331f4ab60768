using System.Globalization;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>What a benchmark run changes in a preset: threads, epochs, and how often it checks the test accuracy.</summary>
/// <param name="Threads">TorchSharp and ONNX Runtime threads; null: all cores.</param>
/// <param name="Epochs">Epochs instead of the preset's; null: the preset's.</param>
/// <param name="CheckEvery">Also check the test accuracy every this many batches (not only after each epoch); null: after each epoch only.</param>
internal sealed record BenchSettings(int? Threads, int? Epochs, int? CheckEvery)
{
    /// <summary>The preset's options with these settings applied.</summary>
    public TorchCnnOptions Apply(TorchCnnOptions options)
    {
        if (Threads is int t) options.Threads = t;
        if (Epochs is int e) options.Epochs = e;
        options.ValidationEveryBatches = CheckEvery;
        return options;
    }

    /// <summary>The command-line options that pass these settings to a child <c>bench-run</c>.</summary>
    public IEnumerable<string> Arguments()
    {
        static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
        if (Threads is int t) { yield return "--threads"; yield return Text(t); }
        if (Epochs is int e) { yield return "--epochs"; yield return Text(e); }
        if (CheckEvery is int c) { yield return "--check-every"; yield return Text(c); }
    }
}
