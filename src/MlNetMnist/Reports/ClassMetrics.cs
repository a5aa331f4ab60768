namespace MlNetMnist.Reports;

/// <summary>Precision, recall, F1 and support of one class of a multiclass evaluation.</summary>
public sealed record ClassMetrics
{
    /// <summary>The class name (for MNIST the digit).</summary>
    public string ClassName { get; init; } = "";

    /// <summary>Of the rows predicted as this class, the fraction that are (0-1); ML.NET's <c>ConfusionMatrix.PerClassPrecision</c>.</summary>
    public double Precision { get; init; }

    /// <summary>Of the rows of this class, the fraction predicted as it (0-1); ML.NET's <c>ConfusionMatrix.PerClassRecall</c>.</summary>
    public double Recall { get; init; }

    /// <summary>Harmonic mean of <see cref="Precision"/> and <see cref="Recall"/>; 0 when both are 0.</summary>
    public double F1 { get; init; }

    /// <summary>Rows whose true class this is: the sum of this class's confusion-matrix row (weighted when the evaluation was).</summary>
    public double Support { get; init; }

    /// <summary>Log loss of the rows of this class; ML.NET's <c>PerClassLogLoss</c>.</summary>
    public double LogLoss { get; init; }

    /// <summary>Rows of this class predicted as it: the diagonal cell of the confusion matrix (the true positives).</summary>
    public double Correct { get; init; }

    /// <summary>Rows predicted as this class: the sum of this class's confusion-matrix column.</summary>
    public double Predicted { get; init; }

    /// <summary>The harmonic mean of precision and recall, 0 when it is undefined.</summary>
    /// <param name="precision">Precision (0-1).</param>
    /// <param name="recall">Recall (0-1).</param>
    public static double ComputeF1(double precision, double recall)
    {
        double sum = precision + recall;
        return sum > 0 && double.IsFinite(sum) ? 2 * precision * recall / sum : 0;
    }
}
