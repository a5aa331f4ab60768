namespace MlNetMnist.Reports;

/// <summary>
/// Chooses which misclassified rows a report keeps with their images: the most confident ones of
/// each of the most frequent confusions, and the most confident errors overall. Memory is bounded by
/// the number kept, whatever the number of rows.
/// </summary>
internal sealed class MisclassifiedCollector
{
    private readonly Dictionary<(int True, int Predicted), BoundedBest<MisclassifiedExample>> _perConfusion = new();
    private readonly BoundedBest<MisclassifiedExample> _overall;

    public MisclassifiedCollector(IReadOnlyList<ClassConfusion> confusions, int confusionsWithExamples, int examplesPerConfusion, int mostConfidentErrors)
    {
        foreach (var confusion in confusions.Take(confusionsWithExamples))
            _perConfusion[(confusion.TrueIndex, confusion.PredictedIndex)] = new BoundedBest<MisclassifiedExample>(examplesPerConfusion);
        _overall = new BoundedBest<MisclassifiedExample>(mostConfidentErrors);
    }

    /// <summary>True when a row with these values would be kept, so its pixels are worth reading.</summary>
    public bool Wants(int trueIndex, int predictedIndex, double confidence, long row) =>
        _overall.Accepts(confidence, row)
        || (_perConfusion.TryGetValue((trueIndex, predictedIndex), out var best) && best.Accepts(confidence, row));

    /// <summary>Offers a misclassified row.</summary>
    public void Add(MisclassifiedExample example)
    {
        _overall.Add(example, example.Confidence, example.Row);
        if (_perConfusion.TryGetValue((example.TrueIndex, example.PredictedIndex), out var best))
            best.Add(example, example.Confidence, example.Row);
    }

    /// <summary>The rows kept, each once, most confident first (then in row order).</summary>
    public IReadOnlyList<MisclassifiedExample> Result() =>
        _perConfusion.Values.SelectMany(best => best.Items).Concat(_overall.Items)
            .DistinctBy(example => example.Row)
            .OrderByDescending(example => example.Confidence)
            .ThenBy(example => example.Row)
            .ToArray();
}
