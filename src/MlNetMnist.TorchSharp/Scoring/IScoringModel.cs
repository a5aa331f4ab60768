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

    /// <summary>The input's columns plus <c>Score</c> and <c>PredictedLabel</c>.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>Copies one row's features into <paramref name="target"/>, refusing a wrong size or non-finite values.</summary>
    void CopyFeatures(in VBuffer<float> source, long row, Span<float> target);

    /// <summary>Scores <paramref name="rows"/> rows of <paramref name="input"/> into <paramref name="probabilities"/>. Safe from several threads at once.</summary>
    void Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities);
}
