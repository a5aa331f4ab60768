using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Scoring;

/// <summary>
/// What <see cref="ScoredDataView"/> and <see cref="TorchCnnRowMapper"/> need of a trained classifier:
/// a single network (<see cref="TorchCnnTransformer"/>) or an ensemble (<see cref="TorchCnnEnsembleTransformer"/>).
/// </summary>
internal interface IScoringModel
{
    /// <summary>Values per input row.</summary>
    int InputSize { get; }

    /// <summary>Class probabilities per row.</summary>
    int Classes { get; }

    /// <summary>The feature column in <paramref name="schema"/>, checked (name, type, size).</summary>
    DataViewSchema.Column CheckFeatureColumn(DataViewSchema schema);

    /// <summary>Values per row of the out-of-distribution output (0: the model has none, and no such column).</summary>
    int OutOfDistributionSize { get; }

    /// <summary>The input's columns plus <c>Score</c> and <c>PredictedLabel</c> (and the out-of-distribution output, if any).</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>Copies one row's features into <paramref name="target"/>, refusing a wrong size or non-finite values.</summary>
    void CopyFeatures(in VBuffer<float> source, long row, Span<float> target);

    /// <summary>
    /// Scores <paramref name="rows"/> rows of <paramref name="input"/> into <paramref name="probabilities"/>,
    /// and the out-of-distribution output into <paramref name="outOfDistribution"/> unless it is empty.
    /// Safe from several threads at once.
    /// </summary>
    void Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities, Span<float> outOfDistribution);
}
