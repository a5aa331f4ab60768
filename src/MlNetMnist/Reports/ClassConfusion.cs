namespace MlNetMnist.Reports;

/// <summary>One off-diagonal cell of a confusion matrix: rows of one class predicted as another.</summary>
public sealed record ClassConfusion
{
    /// <summary>Index of the true class (row of the confusion matrix).</summary>
    public int TrueIndex { get; init; }

    /// <summary>Name of the true class.</summary>
    public string TrueClass { get; init; } = "";

    /// <summary>Index of the predicted class (column of the confusion matrix).</summary>
    public int PredictedIndex { get; init; }

    /// <summary>Name of the predicted class.</summary>
    public string PredictedClass { get; init; } = "";

    /// <summary>Number (weight, for a weighted evaluation) of rows of the true class predicted as the other.</summary>
    public double Count { get; init; }

    /// <summary><see cref="Count"/> as a fraction of the true class's rows (0-1): the row-normalised rate.</summary>
    public double Rate { get; init; }
}
