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
        for (int i = 0; i < values.Length; i++) values[i] = Evaluation.Pixels[i];
        return values;
    }
}
