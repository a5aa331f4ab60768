using MlNetMnist.Networks;
using MlNetMnist.SavedModels;
using MlNetMnist.Scoring;

namespace MlNetMnist;

/// <summary>
/// The trained model inside a <see cref="TorchCnnTransformer"/>, as ML.NET's generic tooling sees it
/// (<c>ISingleFeaturePredictionTransformer&lt;TorchCnnModelParameters&gt;.Model</c>, the
/// <c>TModel</c> of <c>PermutationFeatureImportance</c> and of <c>CrossValidate</c>'s models): the
/// network (layers and input shape), its trained weights and the classes of its outputs.
/// </summary>
public sealed class TorchCnnModelParameters
{
    private readonly NetworkScorer _scorer;
    private readonly LabelKeyInfo _label;

    internal TorchCnnModelParameters(NetworkScorer scorer, LabelKeyInfo label)
    {
        _scorer = scorer;
        _label = label;
    }

    /// <summary>The network's layers, input shape and class count.</summary>
    public NetworkDefinition Network => _scorer.Definition;

    /// <summary>The shape of the images the network reads: channels x height x width, row-major planes.</summary>
    public ImageShape InputShape => new(Network.Channels, Network.Height, Network.Width);

    /// <summary>The class names in key order (slot <c>i</c> of <c>Score</c> is class <c>ClassNames[i]</c>).</summary>
    public IReadOnlyList<string> ClassNames => _label.ClassNames;

    /// <summary>The trained weights, copied to managed memory on first use.</summary>
    public NetworkWeights Weights => _scorer.Weights;

    /// <summary><c>fast-cnn 1x28x28 -&gt; 10 classes</c>.</summary>
    public override string ToString() => $"{Network.Name} {InputShape} -> {ClassNames.Count} classes";
}
