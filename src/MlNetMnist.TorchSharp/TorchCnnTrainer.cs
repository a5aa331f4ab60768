using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Networks;
using MlNetMnist.Native;
using MlNetMnist.SavedModels;
using MlNetMnist.Scoring;
using MlNetMnist.Training;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using TorchSharp;

namespace MlNetMnist;

/// <summary>
/// ML.NET trainer that trains a TorchSharp network (see <see cref="TorchCnnOptions.Network"/>) on a
/// key-typed label and a vector of raw pixel values. Create it with
/// <see cref="TorchCnnCatalog.TorchCnn(MulticlassClassificationCatalog.MulticlassClassificationTrainers, TorchCnnOptions)"/>.
/// </summary>
/// <remarks>
/// It works with ML.NET's generic tooling as its own trainers do: it is an
/// <see cref="ITrainerEstimator{TTransformer, TModel}"/> (so <c>CrossValidate</c> takes it), its
/// transformer an <see cref="ISingleFeaturePredictionTransformer{TModel}"/> (so
/// <c>PermutationFeatureImportance</c> takes it). The settings chosen (network, image shape, seed,
/// normalisation), every epoch's figures and any warning go to the context's <see cref="MLContext.Log"/>
/// (source <c>TorchCnn</c>) as well as to <see cref="TorchCnnOptions.Progress"/>; a
/// <see cref="TorchCnnOptions.Seed"/> left null comes from the context.
/// </remarks>
public sealed class TorchCnnTrainer : ITrainerEstimator<TorchCnnTransformer, TorchCnnModelParameters>
{
    private readonly IHost _host;
    private readonly TorchCnnOptions _options;
    private readonly bool _seedFromContext;

    /// <summary>
    /// Creates the trainer for <paramref name="ml"/>; the options are copied and validated. Training
    /// writes to <paramref name="ml"/>'s log, and a null <see cref="TorchCnnOptions.Seed"/> is drawn
    /// from its random generator (deterministic when the context was given a seed).
    /// </summary>
    /// <param name="ml">The caller's ML.NET context.</param>
    /// <param name="options">The options.</param>
    public TorchCnnTrainer(MLContext ml, TorchCnnOptions options)
        : this((IHostEnvironment)(ml ?? throw new ArgumentNullException(nameof(ml))), options)
    {
    }

    internal TorchCnnTrainer(IHostEnvironment environment, TorchCnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        _options.Validate();
        _host = environment.Register("TorchCnn");
        _seedFromContext = _options.Seed is null;
        _options.Seed ??= _host.Rand.Next();
    }

    /// <summary>The options this trainer uses (a copy of those given, with the seed in use).</summary>
    public TorchCnnOptions Options => _options;

    /// <summary>
    /// What ML.NET needs to know about this trainer: it takes raw pixel values (no normaliser in front;
    /// normalisation is the network's first layer), reads the data once into memory (no cache needed)
    /// and accepts validation data (<see cref="Fit(IDataView, IDataView, CancellationToken)"/>).
    /// </summary>
    public TrainerInfo Info { get; } = MlNetInternals.CreateTrainerInfo(normalization: false, caching: false, supportsValidation: true);

    /// <summary>Reads <paramref name="input"/> once into tensors and trains the network.</summary>
    public TorchCnnTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>As <see cref="Fit(IDataView)"/>, stopping with <see cref="OperationCanceledException"/> at the next batch once <paramref name="cancellation"/> is signalled.</summary>
    public TorchCnnTransformer Fit(IDataView input, CancellationToken cancellation) => Fit(input, null, cancellation);

    /// <summary>
    /// Trains on <paramref name="trainData"/> and reports loss and accuracy on <paramref name="validationData"/>
    /// after every epoch (used by early stopping and <see cref="TorchCnnOptions.TargetValidationAccuracy"/>;
    /// <see cref="TorchCnnOptions.ValidationFraction"/> is then ignored). Both need the same label key type.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, or the data has no rows.</exception>
    /// <exception cref="InvalidOperationException">Training diverged (the loss became non-finite or huge); the message names the likely option.</exception>
    public TorchCnnTransformer Fit(IDataView trainData, IDataView? validationData, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        // Created first, so that its preparation time counts from the start of Fit (what a user waits for).
        var history = new TrainingHistory();
        var input = trainData;
        var o = _options;
        string? checkpointPath = o.CheckpointPath is null ? null : Path.GetFullPath(o.CheckpointPath);
        if (o.ResumeFromCheckpoint) TrainingCheckpoint.RequireFile(checkpointPath!);
        var featureColumn = FeatureColumn(input.Schema);
        int featureSize = FeatureSize(featureColumn);
        var labelColumn = input.Schema.GetColumnOrNull(o.LabelColumnName)
            ?? throw new ArgumentException($"The training data has no label column '{o.LabelColumnName}'.");
        RequireRows(input, "training");
        var label = LabelKeyInfo.From(labelColumn);
        var shape = MlNetMnist.ImageShape.Resolve(o.FeatureColumnName, featureColumn.Type, o.ImageChannels, o.ImageHeight, o.ImageWidth);
        var (channels, height, width) = (shape.Channels, shape.Height, shape.Width);
        OutlierPool.RequireShape(o, shape);

        LibTorchNative.EnsureLoaded();
        GlibcMallocTuning.Apply();
        if (o.Threads is int threads) torch.set_num_threads(threads);
        else torch.set_num_threads(Environment.ProcessorCount);
        var device = DeviceSelector.Resolve(o.Device);

        using var log = new TrainingLog(_host, o.Progress, history);
        using var all = TrainingData.Read(input, o.FeatureColumnName, featureSize, o.LabelColumnName);
        if (o.BatchSize > all.Count)
            throw new ArgumentOutOfRangeException(nameof(trainData), o.BatchSize, $"TorchCnnOptions.BatchSize is {o.BatchSize}, larger than the {all.Count} training rows.");
        PixelRangeCheck.Warn(all, o, log);
        bool autoInvert = o.InputPolarity == Images.InputPolarity.AutoInvert;
        var (mean, std) = o.NormalizationMean is float m && o.NormalizationStd is float s ? (m, s)
            : autoInvert ? AutoInvertStatistics.Compute(all.Features, new AutoInvertSpec(channels, height, width)) : all.PixelStatistics();
        if (!(std > 0)) std = 1;
        var definition = Architectures.Create(o.Network, channels, height, width, label.Count, NormalizeSpec.ForPixels(mean, std));
        if (autoInvert) definition = AutoInvertSpec.Prepend(definition);
        log.Info(DescribeSettings(shape, featureColumn.Type, label, all.Count, mean, std, device));

        TrainingData? trainPart = null, validationPart = null;
        try
        {
            if (validationData is not null)
                validationPart = ReadValidation(validationData, label, featureSize);
            else if (o.ValidationFraction > 0 && all.Count >= 2)
                (trainPart, validationPart) = all.Split(o.ValidationFraction, o.ResolvedSeed);
            var checkpoint = checkpointPath is null ? null
                : new CheckpointSettings(checkpointPath, o.ResumeFromCheckpoint, TrainingFingerprint.Create(o, definition, label.ClassNames, trainPart ?? all, validationPart));
            using var train = (trainPart ?? all).To(device);
            using var validation = validationPart?.To(device);
            using var outliers = OutlierPool.Create(o, shape, train, device, log);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, o.Cancellation);
            var model = new TorchTrainer(o, device, log, checkpoint).Train(definition, train, validation, outliers, linked.Token);
            log.Info($"Training ended: {log.History.StopReason}; the model has the weights of epoch {log.History.SelectedEpoch}.");
            var scorer = new NetworkScorer(model, definition, device);
            // Temperature and out-of-distribution thresholds are fitted on the validation rows only (never the training rows).
            if (validationPart is not null) scorer.Calibration = OutputCalibrator.Fit(scorer, validationPart, o, log);
            return new TorchCnnTransformer(scorer, label, o.FeatureColumnName, featureColumn.Type, o.Clone(), log.History);
        }
        finally
        {
            trainPart?.Dispose();
            validationPart?.Dispose();
        }
    }

    /// <summary>
    /// The output shape: the input's columns plus <c>Score</c> and <c>PredictedLabel</c>. The label and
    /// feature columns are checked here first, so that a pipeline's <c>Fit</c> fails with this
    /// trainer's message. ML.NET does not let an outside assembly build schema shape columns, so the
    /// shape reported is that of a public multiclass trainer with the same columns and outputs.
    /// </summary>
    /// <exception cref="ArgumentException">The label or feature column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string features = _options.FeatureColumnName, label = _options.LabelColumnName;
        if (Find(inputSchema, features) is not { } featureColumn)
            throw new ArgumentException($"The input has no feature column '{features}' (TorchCnnOptions.FeatureColumnName); it has: {string.Join(", ", inputSchema.Select(c => c.Name))}.", nameof(inputSchema));
        if (featureColumn.Kind != SchemaShape.Column.VectorKind.Vector || featureColumn.ItemType != NumberDataViewType.Single || featureColumn.IsKey)
            throw new ArgumentException(FeatureTypeMessage(features, Describe(featureColumn)), nameof(inputSchema));
        if (Find(inputSchema, label) is not { } labelColumn)
            throw new ArgumentException($"The input has no label column '{label}' (TorchCnnOptions.LabelColumnName); it has: {string.Join(", ", inputSchema.Select(c => c.Name))}.", nameof(inputSchema));
        if (!labelColumn.IsKey || labelColumn.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentException($"Label column '{label}' has type {Describe(labelColumn)}; expected a key type. Map it with mlContext.Transforms.Conversion.MapValueToKey(\"{label}\") first.", nameof(inputSchema));
        return new MLContext().MulticlassClassification.Trainers
            .SdcaMaximumEntropy(label, features)
            .GetOutputSchema(inputSchema);
    }

    /// <summary>A column's type as ML.NET names types: <c>Vector&lt;Single&gt;</c>, <c>Key&lt;UInt32&gt;</c>, <c>String</c>.</summary>
    private static string Describe(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType.RawType.Name}>" : column.ItemType.ToString() ?? "";
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Scalar => item,
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}>",
            _ => $"variable-size Vector<{item}>",
        };
    }

    private static SchemaShape.Column? Find(SchemaShape schema, string name)
    {
        foreach (var column in schema)
            if (column.Name == name) return column;
        return null;
    }

    private string DescribeSettings(ImageShape shape, DataViewType featureType, LabelKeyInfo label, long rows, float mean, float std, torch.Device device)
    {
        var o = _options;
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        string shapeSource = o.ImageChannels is not null || o.ImageHeight is not null || o.ImageWidth is not null ? "from the options"
            : featureType is VectorDataViewType { Dimensions.Length: >= 2 } ? "from the column's dimensions"
            : "inferred from the vector size";
        string normalisation = o.NormalizationMean is not null ? "given" : "computed from the training data";
        return string.Format(ci,
            "TorchCnn: network {0}, input {1} ({2}) from column '{3}', {4} classes from '{5}' ({6}), {7:N0} rows, {8} epochs, batch {9}, " +
            "{10} lr {11}, {12} schedule, seed {13} ({14}), device {15}, {16} threads, normalisation mean {17:G4} std {18:G4} ({19}).",
            o.Network, shape, shapeSource, o.FeatureColumnName, label.Count, o.LabelColumnName, string.Join(", ", label.ClassNames.Take(12)) + (label.Count > 12 ? ", ..." : ""),
            rows, o.Epochs, o.BatchSize, o.Optimizer, o.LearningRate, o.Schedule, o.ResolvedSeed,
            _seedFromContext ? "from the MLContext" : "from the options", device.type, torch.get_num_threads(), mean, std, normalisation);
    }

    /// <summary>Refuses a view without rows, before its label's key type can say something misleading about classes.</summary>
    private static void RequireRows(IDataView data, string what)
    {
        long? count = data.GetRowCount();
        if (count is null)
        {
            using var cursor = data.GetRowCursor([]);
            count = cursor.MoveNext() ? 1 : 0;
        }
        if (count == 0)
            throw new ArgumentException($"The {what} data has no rows; TorchCnn needs labelled images to train on.");
    }

    internal static string FeatureTypeMessage(string name, string type) =>
        $"Feature column '{name}' has type {type}; TorchCnn expects a known-size vector of Single: raw pixel values 0-255, channel planes of row-major pixels " +
        "(e.g. Vector<Single, 784> for 28x28 grayscale, Vector<Single, 3, 32, 32> for 32x32 RGB). Convert other types with ConvertType, images with DigitImageInput or ExtractPixels.";

    private TrainingData ReadValidation(IDataView data, LabelKeyInfo trainingLabel, int featureSize)
    {
        var o = _options;
        var label = LabelKeyInfo.From(data.Schema.GetColumnOrNull(o.LabelColumnName)
            ?? throw new ArgumentException($"The validation data has no label column '{o.LabelColumnName}'."));
        if (label.Count != trainingLabel.Count)
            throw new ArgumentException($"The validation label '{o.LabelColumnName}' has {label.Count} classes; the training label has {trainingLabel.Count}. Map both with the same MapValueToKey transformer.");
        RequireRows(data, "validation");
        int validationSize = FeatureSize(FeatureColumn(data.Schema));
        if (validationSize != featureSize)
            throw new ArgumentException($"The validation feature column '{o.FeatureColumnName}' has {validationSize} values per row; the training data has {featureSize}.");
        return TrainingData.Read(data, o.FeatureColumnName, featureSize, o.LabelColumnName);
    }

    private DataViewSchema.Column FeatureColumn(DataViewSchema schema) =>
        schema.GetColumnOrNull(_options.FeatureColumnName)
            ?? throw new ArgumentException($"The training data has no feature column '{_options.FeatureColumnName}' (TorchCnnOptions.FeatureColumnName).");

    private static int FeatureSize(DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item } vector || item != NumberDataViewType.Single || !vector.IsKnownSize)
            throw new ArgumentException(FeatureTypeMessage(column.Name, $"{column.Type}"));
        return vector.Size;
    }
}
