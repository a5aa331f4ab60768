namespace MlNetMnist.Onnx;

/// <summary>How <see cref="OnnxExporter"/> shapes and names the exported graph.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>Batch (standalone) or row (ML.NET) shapes. Default <see cref="OnnxLayout.Batch"/>.</summary>
    public OnnxLayout Layout { get; set; } = OnnxLayout.Batch;

    /// <summary>
    /// Name of the graph's input: the raw pixel values (0-255), or, with <see cref="ImageInput"/>, the image
    /// planes. Default <c>Features</c>.
    /// </summary>
    public string InputName { get; set; } = DefaultColumnNames.Features;

    /// <summary>
    /// Null (default): the graph reads raw pixel values, <c>float [N, InputSize]</c>. Set: the graph starts
    /// with the MNIST-style centring that <see cref="Images.DigitImageCatalog.DigitImageInput"/> saves in
    /// <c>model.zip</c> (the same ONNX nodes, from <see cref="Images.DigitImageInputOptions.WorkingSize"/>,
    /// <see cref="Images.DigitImageInputOptions.BoxSize"/> and <see cref="Images.DigitImageInputOptions.Polarity"/>),
    /// so it reads real-world images: input <c>float [N, 4, S, S]</c> (<c>[4, S, S]</c> in the row layout),
    /// S the working size, the alpha, red, green and blue planes (0-255, each plane row-major) of an image
    /// fitted into S x S keeping its aspect ratio with transparent padding, what ML.NET's
    /// <c>ResizeImages</c> (<c>IsoPad</c>) and <c>ExtractPixels</c> (<c>ColorBits.All</c>, <c>ColorsOrder.ARGB</c>,
    /// not interleaved) give. The options must centre (<see cref="Images.DigitImageInputOptions.CentreByMass"/>,
    /// not <see cref="Images.DigitImageInputOptions.KeepColor"/>) into the network's own one-channel
    /// <see cref="Images.DigitImageInputOptions.Width"/> x <see cref="Images.DigitImageInputOptions.Height"/>;
    /// their column names are not used.
    /// </summary>
    public Images.DigitImageInputOptions? ImageInput { get; set; }

    /// <summary>Name of the output of softmax class probabilities. Default <c>Score</c>.</summary>
    public string ScoreName { get; set; } = DefaultColumnNames.Score;

    /// <summary>Name of the output of the most probable class index (int64), or null for no such output. Default <c>PredictedIndex</c>.</summary>
    public string? PredictedIndexName { get; set; } = "PredictedIndex";

    /// <summary>
    /// The class names in score order, or null. When set, the graph also carries them the way ML.NET's own
    /// ONNX export does (a <c>LabelEncoder</c> node named <c>mlnet.&lt;score&gt;.SlotNames</c> whose keys are
    /// the names): ML.NET's <c>OnnxTransformer</c> then gives the score column these slot names, so a
    /// model loaded from <c>model.zip</c> labels its confusion table with the real classes. Other ONNX
    /// runtimes ignore the node (its output is not used).
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>
    /// Temperature scaling and the out-of-distribution score, written after the logits (see
    /// <see cref="Calibration.OutputCalibration"/>); null for neither.
    /// </summary>
    public Calibration.OutputCalibration? Calibration { get; set; }

    /// <summary>Name of the out-of-distribution output (written when <see cref="Calibration"/> has one). Default <c>OutOfDistributionScore</c>.</summary>
    public string OutOfDistributionName { get; set; } = DefaultColumnNames.OutOfDistributionScore;

    /// <summary>Key/value pairs stored as the model's <c>metadata_props</c> (e.g. class labels).</summary>
    public IDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();
}
