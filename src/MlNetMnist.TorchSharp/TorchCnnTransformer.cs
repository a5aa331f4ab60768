using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Calibration;
using MlNetMnist.Data;
using MlNetMnist.Networks;
using MlNetMnist.Onnx;
using MlNetMnist.Reports;
using MlNetMnist.SavedModels;
using MlNetMnist.Scoring;
using MlNetMnist.Training;

namespace MlNetMnist;

/// <summary>
/// A trained TorchSharp image classifier as an ML.NET transformer. <see cref="Transform"/> adds
/// <c>Score</c> (class probabilities, a known-size vector with the class names as slot names) and
/// <c>PredictedLabel</c> (the training label's key type). Rows are scored in batches.
/// </summary>
/// <remarks>
/// <c>mlContext.Model.Save</c> stores this transformer as an ONNX graph scored by ML.NET's own
/// <c>OnnxTransformer</c> (plus ML.NET key mapping), because ML.NET does not let an outside assembly
/// persist its own transformer type: <c>mlContext.Model.Load</c> returns that chain, which needs only
/// <c>Microsoft.ML</c>, <c>Microsoft.ML.OnnxTransformer</c> and <c>Microsoft.ML.OnnxRuntime</c>.
/// Disposing the transformer frees the network. A <see cref="PredictionEngine{TSrc, TDst}"/> disposes
/// the transformer it was created from (and a <c>TransformerChain</c> its transformers) when the engine
/// is disposed, unless it was created with <c>PredictionEngineOptions.OwnsTransformer = false</c>: create engines over a model
/// you keep using with <c>mlContext.Model.CreatePredictionEngine&lt;TIn, TOut&gt;(model, new PredictionEngineOptions { OwnsTransformer = false })</c>.
/// </remarks>
public sealed class TorchCnnTransformer : IImageClassifierModel, ISingleFeaturePredictionTransformer<TorchCnnModelParameters>, IDisposable, IScoringModel
{
    private readonly LabelKeyInfo _label;
    private readonly int _scoringBatchSize;
    private readonly Lazy<OnnxRuntimeScorer>? _onnxRuntime;
    private bool _disposed;

    internal TorchCnnTransformer(NetworkScorer scorer, LabelKeyInfo label, string featureColumnName, DataViewType featureColumnType, TorchCnnOptions options, TrainingHistory history)
    {
        Scorer = scorer;
        _label = label;
        FeatureColumnName = featureColumnName;
        FeatureColumnType = featureColumnType;
        Model = new TorchCnnModelParameters(scorer, label);
        Options = options;
        History = history;
        _scoringBatchSize = options.ScoringBatchSize;
        if (ScoringEngine == TorchCnnScoringEngine.OnnxRuntime)
            _onnxRuntime = new Lazy<OnnxRuntimeScorer>(CreateOnnxRuntimeScorer, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// What scores this model in process: <see cref="TorchCnnOptions.ScoringEngine"/>, with
    /// <see cref="TorchCnnScoringEngine.Auto"/> resolved (ONNX Runtime when the network is on the CPU).
    /// </summary>
    public TorchCnnScoringEngine ScoringEngine => Options.ScoringEngine switch
    {
        TorchCnnScoringEngine.Auto => Scorer.OnCpu ? TorchCnnScoringEngine.OnnxRuntime : TorchCnnScoringEngine.TorchSharp,
        var engine => engine,
    };

    /// <summary>The feature column this model reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The type of the feature column the model was trained on: a vector of Single pixel values, one per network input (with the image's dimensions when the column declared them).</summary>
    public DataViewType FeatureColumnType { get; }

    /// <summary>The trained network, its weights and classes.</summary>
    public TorchCnnModelParameters Model { get; }

    /// <summary>The label column the model was trained on.</summary>
    public string LabelColumnName => Options.LabelColumnName;

    /// <summary>The network's layers and input shape.</summary>
    public NetworkDefinition Network => Scorer.Definition;

    /// <inheritdoc/>
    public ImageShape InputShape => new(Network.Channels, Network.Height, Network.Width);

    /// <summary>The class names in key order (slot <c>i</c> of <c>Score</c> is class <c>ClassNames[i]</c>).</summary>
    public IReadOnlyList<string> ClassNames => _label.ClassNames;

    /// <summary>The options the model was trained with.</summary>
    public TorchCnnOptions Options { get; }

    /// <summary>Loss, accuracy, learning rate and time of every training epoch.</summary>
    public TrainingHistory History { get; }

    TrainingHistory? IImageClassifierModel.History => History;

    /// <summary>The network (name, input shape, classes, layers) and then the options it was trained with, as named values for a report.</summary>
    public IReadOnlyList<MetadataEntry> Describe() =>
        // The network's own name ("fast-cnn") stands for the Network option ("FastCnn").
        ReportMetadata.DescribeNetwork(Network).Concat(ReportMetadata.DescribeOptions(Options)).Concat(ReportMetadata.DescribeCalibration(Calibration))
            .DistinctBy(e => e.Name).ToArray();

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal NetworkScorer Scorer { get; }

    internal int Classes => Scorer.Classes;

    internal int InputSize => Scorer.InputSize;

    /// <summary>
    /// The calibration fitted on the validation rows after training (temperature scaling and the
    /// out-of-distribution score; see <see cref="TorchCnnOptions.CalibrateOutputs"/>), applied by this
    /// transformer and saved inside the ONNX graph. <see cref="OutputCalibration.None"/> without validation rows.
    /// </summary>
    public OutputCalibration Calibration => Scorer.Calibration;

    int IScoringModel.Classes => Classes;

    int IScoringModel.InputSize => InputSize;

    int IScoringModel.OutOfDistributionSize => Scorer.OutOfDistributionSize;

    void IScoringModel.Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities, Span<float> outOfDistribution) =>
        Score(input, rows, probabilities, outOfDistribution);

    /// <summary>Scores rows with the <see cref="ScoringEngine"/> (the graph is built on first use, after training and calibration).</summary>
    internal void Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities, Span<float> outOfDistribution)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_onnxRuntime is null) Scorer.Score(input, rows, probabilities, outOfDistribution);
        else _onnxRuntime.Value.Score(input, rows, probabilities, outOfDistribution);
    }

    /// <summary>ONNX Runtime over the graph model.zip saves, in batch layout, with the calibration; no predicted-index output.</summary>
    private OnnxRuntimeScorer CreateOnnxRuntimeScorer()
    {
        var options = ExportOptions(OnnxLayout.Batch, predictedIndexName: null);
        return new OnnxRuntimeScorer(OnnxExporter.Export(Network, Weights, options), InputSize, Classes, Scorer.OutOfDistributionSize,
            (options.InputName, options.ScoreName, options.OutOfDistributionName), Options.Threads);
    }

    DataViewSchema.Column IScoringModel.CheckFeatureColumn(DataViewSchema schema) => CheckFeatureColumn(schema);

    void IScoringModel.CopyFeatures(in VBuffer<float> source, long row, Span<float> target) => CopyFeatures(source, row, target);

    /// <summary>The trained weights, copied to managed memory on first use.</summary>
    public NetworkWeights Weights => Scorer.Weights;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckFeatureColumn(inputSchema);
        CheckLabelColumn(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);

        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        var slotNames = _label.SlotNames();
        scoreAnnotations.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, Classes),
            (ref VBuffer<ReadOnlyMemory<char>> value) => slotNames.CopyTo(ref value));
        scoreAnnotations.Add("ScoreColumnKind", TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> value) => value = "MulticlassClassification".AsMemory());
        scoreAnnotations.Add("ScoreValueKind", TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> value) => value = "Score".AsMemory());
        builder.AddColumn(DefaultColumnNames.Score, new VectorDataViewType(NumberDataViewType.Single, Classes), scoreAnnotations.ToAnnotations());
        builder.AddColumn(DefaultColumnNames.PredictedLabel, _label.KeyType, _label.Annotations);
        if (Scorer.OutOfDistributionSize > 0)
            builder.AddColumn(DefaultColumnNames.OutOfDistributionScore, new VectorDataViewType(NumberDataViewType.Single, Scorer.OutOfDistributionSize));
        return builder.ToSchema();
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => new ScoredDataView(input, this, _scoringBatchSize);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new TorchCnnRowMapper(this, inputSchema);

    /// <summary>
    /// Saves as ML.NET's own transformers (ONNX graph + key mapping), so that <c>mlContext.Model.Load</c>
    /// works without this library. Called by <c>mlContext.Model.Save</c>.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        SavedModelBuilder.Save(new SavedClassifier(FeatureColumnName, InputSize, _label, Calibration.OutOfDistribution is not null,
            () => OnnxExporter.Export(Network, Weights, ExportOptions(OnnxLayout.Row, SavedModelBuilder.IndexColumn))), ctx);

    /// <summary>
    /// The network as a standalone ONNX model: input <c>[N, InputSize]</c> raw pixel values named like
    /// the feature column, outputs <c>Score</c> <c>[N, classes]</c> probabilities and <c>PredictedIndex</c> <c>[N]</c>.
    /// The class names are stored in the model's metadata (<c>class_names</c>, one per line).
    /// </summary>
    public byte[] ExportOnnx() => OnnxExporter.Export(Network, Weights, ExportOptions(OnnxLayout.Batch, "PredictedIndex"));

    /// <summary>Writes <see cref="ExportOnnx()"/> to <paramref name="path"/> atomically.</summary>
    public void ExportOnnx(string path) => OnnxExporter.ExportToFile(Network, Weights, ExportOptions(OnnxLayout.Batch, "PredictedIndex"), path);

    /// <summary>
    /// The network with the MNIST-style centring in front, as ONE standalone ONNX model that reads
    /// real-world images (what <c>model.zip</c> saved with <see cref="Images.DigitImageCatalog.DigitImageInput"/>
    /// computes, in one graph): input <c>float [N, 4, S, S]</c> named <see cref="Images.DigitImageInputOptions.ImageColumnName"/>
    /// (<c>Image</c> by default), S = <see cref="Images.DigitImageInputOptions.WorkingSize"/> (128 by default),
    /// the alpha, red, green and blue planes (0-255) of an image fitted into S x S keeping its aspect
    /// ratio with transparent padding (ML.NET's <c>ResizeImages</c> with <c>IsoPad</c>, then
    /// <c>ExtractPixels</c> of all four colours in ARGB order, not interleaved); outputs as
    /// <see cref="ExportOnnx()"/> (<c>Score</c>, <c>PredictedIndex</c>, and <c>OutOfDistributionScore</c>
    /// when the model is calibrated, computed on the centred pixels). The metadata describes the input
    /// (<c>input_shape</c>, <c>input_layout</c>, <c>input_values</c>, <c>working_size</c>, <c>centring</c>).
    /// See <see cref="OnnxExportOptions.ImageInput"/>.
    /// </summary>
    /// <param name="imageInput">The image-input options (working size, box size, polarity); <c>new DigitImageInputOptions()</c> gives the chain that <c>train --image-input</c> saves.</param>
    /// <exception cref="ArgumentException">The options do not centre into this network's one-channel input size.</exception>
    public byte[] ExportOnnx(Images.DigitImageInputOptions imageInput) => OnnxExporter.Export(Network, Weights, ImageExportOptions(imageInput));

    /// <summary>Writes <see cref="ExportOnnx(Images.DigitImageInputOptions)"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Destination file; its folder is created if missing.</param>
    /// <param name="imageInput">The image-input options (working size, box size, polarity).</param>
    public void ExportOnnx(string path, Images.DigitImageInputOptions imageInput) =>
        OnnxExporter.ExportToFile(Network, Weights, ImageExportOptions(imageInput), path);

    internal OnnxExportOptions ImageExportOptions(Images.DigitImageInputOptions imageInput)
    {
        ArgumentNullException.ThrowIfNull(imageInput);
        var options = ExportOptions(OnnxLayout.Batch, "PredictedIndex");
        options.ImageInput = imageInput.Clone();
        options.InputName = imageInput.ImageColumnName;
        return options;
    }

    internal OnnxExportOptions ExportOptions(OnnxLayout layout, string? predictedIndexName) => new()
    {
        Layout = layout,
        InputName = FeatureColumnName,
        ScoreName = DefaultColumnNames.Score,
        PredictedIndexName = predictedIndexName,
        ClassNames = ClassNames,
        Calibration = Calibration,
        Metadata = new Dictionary<string, string>
        {
            ["class_names"] = string.Join("\n", ClassNames),
            ["network"] = Network.Name,
            ["input_shape"] = $"{Network.Channels}x{Network.Height}x{Network.Width}",
            ["input_layout"] = "channel planes (red, green, blue for 3 channels) of row-major pixels",
            [Serving.ModelFacts.FeatureColumnKey] = FeatureColumnName,
            [Serving.ModelFacts.LabelColumnKey] = LabelColumnName,
            ["input_values"] = "raw pixel intensities 0-255, row-major; normalisation is inside the graph",
            ["producer"] = "MlNetMnist " + typeof(TorchCnnTransformer).Assembly.GetName().Version,
        },
    };

    /// <summary>Class probabilities for one image given as <see cref="InputSize"/> raw pixel values.</summary>
    public float[] Predict(ReadOnlySpan<float> pixels)
    {
        if (pixels.Length != InputSize)
            throw new ArgumentException($"Expected {InputSize} pixel values, got {pixels.Length}.", nameof(pixels));
        if (FiniteValues.IndexOfNonFinite(pixels) is int bad and >= 0) throw NotFinite(pixels, bad, "Predict");
        var scores = new float[Classes];
        Score(pixels, 1, scores, []);
        return scores;
    }

    internal LabelKeyInfo Label => _label;

    internal DataViewSchema.Column CheckFeatureColumn(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(FeatureColumnName)
            ?? throw new ArgumentException($"The input has no column '{FeatureColumnName}'; this model reads a vector of {InputSize} Single pixel values from it.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType number } vector || number != NumberDataViewType.Single || vector.Size != InputSize)
            throw new ArgumentException($"Column '{FeatureColumnName}' has type {column.Type}; this model expects a known-size vector of {InputSize} Single values ({Network.Channels}x{Network.Height}x{Network.Width} pixels).");
        return column;
    }

    internal void CopyFeatures(in VBuffer<float> source, long row, Span<float> target)
    {
        if (source.Length != InputSize)
            throw new InvalidDataException($"Column '{FeatureColumnName}', row {row}: {source.Length} values; expected {InputSize}.");
        source.CopyTo(target);
        if (FiniteValues.IndexOfNonFinite(target) is int bad and >= 0) throw NotFinite(target, bad, $"Column '{FeatureColumnName}', row {row}");
    }

    /// <summary>The refusal of a NaN or infinite pixel value (it would give NaN probabilities); the message is built only then, not for every row.</summary>
    private static InvalidDataException NotFinite(ReadOnlySpan<float> values, int bad, string where) =>
        new InvalidDataException($"{where}, slot {bad}: value {values[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a finite number; expected raw pixel values (0-255).");

    /// <summary>
    /// Refuses an input whose label column is a key type other than the training label's: its keys
    /// would not mean the same classes as <c>PredictedLabel</c>, and ML.NET's evaluator would compare
    /// them anyway and report wrong metrics. Raw (non-key) labels are not checked.
    /// </summary>
    internal void CheckLabelColumn(DataViewSchema schema)
    {
        string name = Options.LabelColumnName;
        if (schema.GetColumnOrNull(name) is not { Type: KeyDataViewType key } column) return;
        const string Fix = "Map the label with the MapValueToKey transformer fitted on the training data (score with the whole fitted pipeline), so that a key means the same class in the label and in PredictedLabel.";
        if (key.Count != (ulong)Classes)
            throw new ArgumentException($"Label column '{name}' is a key type with {key.Count} values; this model was trained with {Classes} classes ({string.Join(", ", ClassNames)}). {Fix}");
        if (_label.ValueType is null || column.Annotations.Schema.GetColumnOrNull(LabelKeyInfo.AnnotationUtilsKeyValues) is null) return;
        var names = LabelKeyInfo.From(column).ClassNames;
        if (!names.SequenceEqual(ClassNames))
            throw new ArgumentException($"Label column '{name}' has the key values {string.Join(", ", names)}; this model's classes are {string.Join(", ", ClassNames)} in that key order. {Fix}");
    }

    /// <summary>Frees the network (and the ONNX Runtime sessions that scored it).</summary>
    public void Dispose()
    {
        _disposed = true;
        if (_onnxRuntime is { IsValueCreated: true }) _onnxRuntime.Value.Dispose();
        Scorer.Dispose();
    }
}
