using MlNetMnist.Data;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// The images of one benchmark run: the training images and the evaluation images (the test set, or
/// the last training images held out as validation data), as raw arrays.
/// </summary>
internal sealed record BenchData(MnistSet Train, MnistSet Evaluation)
{
    public static BenchData Load(string dataDirectory, BenchSettings settings)
    {
        var train = MnistData.LoadSet(dataDirectory, MnistSplit.Train, settings.MaxTrainRows);
        MnistSet evaluation;
        if (settings.Evaluation == BenchEvaluation.Validation)
        {
            if (settings.Holdout >= train.Count)
                throw new UsageException($"--holdout {settings.Holdout} leaves no training images (there are {train.Count}).");
            evaluation = Slice(train, train.Count - settings.Holdout, settings.Holdout);
            train = Slice(train, 0, train.Count - settings.Holdout);
        }
        else
        {
            evaluation = MnistData.LoadSet(dataDirectory, MnistSplit.Test);
        }
        if (settings.MaxEvalRows is int max && max < evaluation.Count) evaluation = Slice(evaluation, 0, max);
        return new BenchData(train, evaluation);
    }

    /// <summary>
    /// The validation split: the last <see cref="BenchSettings.DefaultHoldout"/> training images, which
    /// <c>bench --eval validation</c> holds out and a model trained with <c>--max-train-rows 50000</c> has not seen.
    /// </summary>
    /// <param name="train">The training set.</param>
    /// <param name="option">The option that asked for it, for the error.</param>
    /// <exception cref="UsageException">The training set has no more images than the split.</exception>
    public static MnistSet ValidationSplit(MnistSet train, string option) => train.Count > BenchSettings.DefaultHoldout
        ? Slice(train, train.Count - BenchSettings.DefaultHoldout, BenchSettings.DefaultHoldout)
        : throw new UsageException($"{option} validation needs more than {BenchSettings.DefaultHoldout:N0} training images; the data folder has {train.Count:N0}.");

    /// <summary>Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> of <paramref name="set"/>.</summary>
    public static MnistSet Slice(MnistSet set, int start, int count) => set with
    {
        Labels = set.Labels.AsSpan(start, count).ToArray(),
        Pixels = set.Pixels.AsSpan(start * set.ImageSize, count * set.ImageSize).ToArray(),
        Count = count,
    };

    /// <summary>The evaluation images as float rows of raw pixel values.</summary>
    public float[] EvaluationPixels()
    {
        var values = new float[Evaluation.Pixels.Length];
        PixelBytes.ToSingle(Evaluation.Pixels, values);
        return values;
    }
}
