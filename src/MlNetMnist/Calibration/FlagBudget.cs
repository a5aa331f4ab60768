namespace MlNetMnist.Calibration;

/// <summary>
/// The out-of-distribution flag budget: thresholds are allowed when they flag at most <see cref="Rate"/>
/// of the held-out digits of <em>every</em> group (say MNIST-centred and prepared like user images), so
/// that no way of presenting a digit pays more than its share.
/// </summary>
internal sealed class FlagBudget
{
    /// <summary>A budget over the given groups of held-out digits (per row, its raw statistics).</summary>
    public FlagBudget(IReadOnlyList<IReadOnlyList<float[]>> groups, double rate)
    {
        if (groups.Count == 0 || groups.Any(g => g.Count == 0)) throw new ArgumentException("Every group of held-out digits needs rows.", nameof(groups));
        Groups = groups;
        Rate = rate;
    }

    /// <summary>The groups of held-out digits.</summary>
    public IReadOnlyList<IReadOnlyList<float[]>> Groups { get; }

    /// <summary>Fraction of each group that may be flagged.</summary>
    public double Rate { get; }

    /// <summary>Whether the thresholds flag at most <see cref="Rate"/> of every group.</summary>
    public bool Allows(float[] centers, float[] thresholds) =>
        Groups.All(g => CalibrationFitting.FlaggedFraction(g, centers, thresholds) <= Rate);
}
