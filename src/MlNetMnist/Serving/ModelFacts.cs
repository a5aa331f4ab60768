using Microsoft.ML;
using MlNetMnist.SavedModels;

namespace MlNetMnist.Serving;

/// <summary>
/// What a model says about itself that the prediction service needs when the options leave it open:
/// the pixel column it reads, its label column and its image shape. A model fitted in-process tells
/// them through its classifier (<see cref="IImageClassifierModel"/>); a <c>model.zip</c> through the
/// metadata of the ONNX graph inside it.
/// </summary>
internal sealed record ModelFacts(string? FeatureColumnName, string? LabelColumnName, ImageShape? Shape)
{
    /// <summary>ONNX metadata key of the feature column's name.</summary>
    public const string FeatureColumnKey = "feature_column";

    /// <summary>ONNX metadata key of the label column's name.</summary>
    public const string LabelColumnKey = "label_column";

    public static ModelFacts Empty { get; } = new(null, null, null);

    /// <summary>The facts of the classifier inside a fitted model, or <see cref="Empty"/>.</summary>
    public static ModelFacts FromModel(ITransformer model) =>
        TransformerChains.FindClassifier(model) is { } classifier
            ? new ModelFacts(classifier.FeatureColumnName, classifier.LabelColumnName, classifier.InputShape)
            : Empty;

    /// <summary>The facts saved in a model file by a TorchCnn model (nulls for what it does not say).</summary>
    public static ModelFacts FromFile(string modelPath)
    {
        var metadata = SavedModelMetadata.Read(modelPath);
        return new ModelFacts(metadata.GetValueOrDefault(FeatureColumnKey), metadata.GetValueOrDefault(LabelColumnKey),
            SavedModelMetadata.ParseShape(metadata.GetValueOrDefault("input_shape")));
    }

    /// <summary>These facts, completed by <paramref name="other"/> where they say nothing.</summary>
    public ModelFacts Or(ModelFacts other) =>
        new(FeatureColumnName ?? other.FeatureColumnName, LabelColumnName ?? other.LabelColumnName, Shape ?? other.Shape);
}
