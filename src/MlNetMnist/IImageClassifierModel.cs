using Microsoft.ML;
using MlNetMnist.Reports;
using MlNetMnist.Training;

namespace MlNetMnist;

/// <summary>
/// A trained image classifier inside a fitted pipeline (for example <c>TorchCnnTransformer</c> from
/// the MlNetMnist.TorchSharp package): what reports and tools need to know about it beyond its output
/// columns. A model loaded from <c>model.zip</c> has no such transformer (it scores through ML.NET's own
/// transformers); the same facts then come from the metadata saved in its ONNX graph
/// (<see cref="ImageShape.FromModelFile"/>, <see cref="ReportMetadata.DescribeModelFile"/>).
/// </summary>
public interface IImageClassifierModel : ITransformer
{
    /// <summary>The pixel column the classifier reads.</summary>
    string FeatureColumnName { get; }

    /// <summary>The label column the classifier was trained on (a saved pipeline that keys it still reads it, even to predict).</summary>
    string LabelColumnName { get; }

    /// <summary>The shape of the images in that column.</summary>
    ImageShape InputShape { get; }

    /// <summary>The class names in key order (slot <c>i</c> of <c>Score</c> is class <c>ClassNames[i]</c>).</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The per-epoch training history, or null when there is none.</summary>
    TrainingHistory? History { get; }

    /// <summary>The network and the training settings, as named values for a report.</summary>
    IReadOnlyList<MetadataEntry> Describe();
}
