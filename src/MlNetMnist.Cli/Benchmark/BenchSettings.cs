using System.Globalization;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>Which data a benchmark run reports accuracy (and the time to 99%) on.</summary>
internal enum BenchEvaluation
{
    /// <summary>Train on all training images, report on the test set (the README table: a report only).</summary>
    Test,

    /// <summary>
    /// Hold out the last <see cref="BenchSettings.Holdout"/> training images, train on the others and
    /// report on those (for choosing presets: the test set stays untouched).
    /// </summary>
    Validation,
}

/// <summary>What a benchmark run changes in a preset, and which data it uses.</summary>
/// <param name="Threads">TorchSharp and ONNX Runtime threads; null: all cores.</param>
/// <param name="Epochs">Epochs instead of the preset's; null: the preset's.</param>
/// <param name="CheckEvery">Also check the accuracy every this many batches (not only after each epoch); null: after each epoch only.</param>
/// <param name="Evaluation">Test set, or a validation split held out from the training images.</param>
/// <param name="Holdout">Training images held out as validation data (the last ones) with <see cref="BenchEvaluation.Validation"/>.</param>
/// <param name="MaxTrainRows">Use only the first this many training images (quick trials; null: all).</param>
/// <param name="MaxEvalRows">Use only the first this many evaluation images (quick trials; null: all).</param>
/// <param name="OnnxThreads">ONNX Runtime intra-op threads of the model loaded from model.zip and of the ONNX Runtime baseline; null: ONNX Runtime's default (one per physical core).</param>
internal sealed record BenchSettings(int? Threads, int? Epochs, int? CheckEvery, BenchEvaluation Evaluation = BenchEvaluation.Test, int Holdout = BenchSettings.DefaultHoldout,
    int? MaxTrainRows = null, int? MaxEvalRows = null, int? OnnxThreads = BenchSettings.DefaultOnnxThreads)
{
    /// <summary>
    /// One ONNX Runtime thread: ML.NET scores a loaded model one row per session run, where a second
    /// thread only adds hand-over (and spinning) costs; measured here 1.5-2x faster than the default.
    /// </summary>
    public const int DefaultOnnxThreads = 1;

    /// <summary>Default size of the validation split: the last 10,000 of the 60,000 training images.</summary>
    public const int DefaultHoldout = 10_000;

    /// <summary>The preset's options with these settings and <paramref name="seed"/> applied.</summary>
    public TorchCnnOptions Apply(TorchCnnOptions options, int seed)
    {
        if (Threads is int t) options.Threads = t;
        if (Epochs is int e) options.Epochs = e;
        options.Seed = seed;
        options.ValidationEveryBatches = CheckEvery;
        // The evaluation images go to Fit only for the accuracy checks; a user who calls Fit without
        // validation rows gets no calibration, so none is fitted (nor timed) here.
        options.CalibrateOutputs = false;
        return options;
    }

    /// <summary>What the accuracy figures are measured on, for reports.</summary>
    public string EvaluationName => Evaluation == BenchEvaluation.Test
        ? "test"
        : string.Format(CultureInfo.InvariantCulture, "validation (last {0:N0} training images, held out)", Holdout);

    /// <summary>The command-line options that pass these settings to a child <c>bench-run</c>.</summary>
    public IEnumerable<string> Arguments()
    {
        static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
        if (Threads is int t) { yield return "--threads"; yield return Text(t); }
        if (Epochs is int e) { yield return "--epochs"; yield return Text(e); }
        if (CheckEvery is int c) { yield return "--check-every"; yield return Text(c); }
        yield return "--eval"; yield return Evaluation == BenchEvaluation.Test ? "test" : "validation";
        yield return "--holdout"; yield return Text(Holdout);
        if (MaxTrainRows is int r) { yield return "--max-train-rows"; yield return Text(r); }
        if (MaxEvalRows is int v) { yield return "--max-eval-rows"; yield return Text(v); }
        yield return "--onnx-threads"; yield return OnnxThreads is int o ? Text(o) : "0";
    }
}
