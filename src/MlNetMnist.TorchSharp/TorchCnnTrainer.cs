using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Networks;
using MlNetMnist.Native;
using MlNetMnist.SavedModels;
using MlNetMnist.Scoring;
using MlNetMnist.Training;
using TorchSharp;

namespace MlNetMnist;

/// <summary>
/// ML.NET estimator that trains a TorchSharp network (see <see cref="TorchCnnOptions.Network"/>) on a
/// key-typed label and a vector of raw pixel values. Create it with
/// <see cref="TorchCnnCatalog.TorchCnn(MulticlassClassificationCatalog.MulticlassClassificationTrainers, TorchCnnOptions)"/>.
/// </summary>
public sealed class TorchCnnTrainer : IEstimator<TorchCnnTransformer>
{
    private readonly MLContext _ml;
    private readonly TorchCnnOptions _options;

    /// <summary>Creates the trainer; the options are copied and validated.</summary>
    public TorchCnnTrainer(MLContext ml, TorchCnnOptions options)
    {
        _ml = ml ?? throw new ArgumentNullException(nameof(ml));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        _options.Validate();
    }

    /// <summary>The options this trainer uses (a copy of those given).</summary>
    public TorchCnnOptions Options => _options;

    /// <summary>Reads <paramref name="input"/> once into tensors and trains the network.</summary>
    public TorchCnnTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>As <see cref="Fit(IDataView)"/>, stopping with <see cref="OperationCanceledException"/> at the next batch once <paramref name="cancellation"/> is signalled.</summary>
    public TorchCnnTransformer Fit(IDataView input, CancellationToken cancellation) => Fit(input, null, cancellation);

    /// <summary>
    /// Trains on <paramref name="trainData"/> and reports loss and accuracy on <paramref name="validationData"/>
    /// after every epoch (used by early stopping and <see cref="TorchCnnOptions.TargetValidationAccuracy"/>;
    /// <see cref="TorchCnnOptions.ValidationFraction"/> is then ignored). Both need the same label key type.
    /// </summary>
    public TorchCnnTransformer Fit(IDataView trainData, IDataView? validationData, CancellationToken cancellation = default)
    {
        var input = trainData;
        var o = _options;
        string? checkpointPath = o.CheckpointPath is null ? null : Path.GetFullPath(o.CheckpointPath);
        if (o.ResumeFromCheckpoint) TrainingCheckpoint.RequireFile(checkpointPath!);
        var label = LabelKeyInfo.From(input.Schema.GetColumnOrNull(o.LabelColumnName)
            ?? throw new ArgumentException($"The training data has no label column '{o.LabelColumnName}'."));
        int featureSize = FeatureSize(input.Schema);
        var shape = MlNetMnist.ImageShape.Resolve(o.FeatureColumnName, input.Schema[o.FeatureColumnName].Type, o.ImageChannels, o.ImageHeight, o.ImageWidth);
        var (channels, height, width) = (shape.Channels, shape.Height, shape.Width);

        LibTorchNative.EnsureLoaded();
        GlibcMallocTuning.Apply();
        if (o.Threads is int threads) torch.set_num_threads(threads);
        else torch.set_num_threads(Environment.ProcessorCount);
        var device = DeviceSelector.Resolve(o.Device);

        using var all = TrainingData.Read(input, o.FeatureColumnName, featureSize, o.LabelColumnName);
        if (o.BatchSize > all.Count)
            throw new ArgumentOutOfRangeException(nameof(trainData), o.BatchSize, $"TorchCnnOptions.BatchSize is {o.BatchSize}, larger than the {all.Count} training rows.");
        bool autoInvert = o.InputPolarity == Images.InputPolarity.AutoInvert;
        var (mean, std) = o.NormalizationMean is float m && o.NormalizationStd is float s ? (m, s)
            : autoInvert ? AutoInvertStatistics.Compute(all.Features, new AutoInvertSpec(channels, height, width)) : all.PixelStatistics();
        if (!(std > 0)) std = 1;
        var definition = Architectures.Create(o.Network, channels, height, width, label.Count, NormalizeSpec.ForPixels(mean, std));
        if (autoInvert) definition = AutoInvertSpec.Prepend(definition);

        TrainingData? trainPart = null, validationPart = null;
        try
        {
            if (validationData is not null)
                validationPart = ReadValidation(validationData, label, featureSize);
            else if (o.ValidationFraction > 0 && all.Count >= 2)
                (trainPart, validationPart) = all.Split(o.ValidationFraction, o.Seed);
            var checkpoint = checkpointPath is null ? null
                : new CheckpointSettings(checkpointPath, o.ResumeFromCheckpoint, TrainingFingerprint.Create(o, definition, label.ClassNames, trainPart ?? all, validationPart));
            using var train = (trainPart ?? all).To(device);
            using var validation = validationPart?.To(device);
            var history = new TrainingHistory();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, o.Cancellation);
            var model = new TorchTrainer(o, device, checkpoint).Train(definition, train, validation, history, linked.Token);
            var scorer = new NetworkScorer(model, definition, device);
            if (validationPart is not null) scorer.Calibration = OutputCalibrator.Fit(scorer, validationPart, o);
            return new TorchCnnTransformer(scorer, label, o.FeatureColumnName, o.Clone(), history);
        }
        finally
        {
            trainPart?.Dispose();
            validationPart?.Dispose();
        }
    }

    /// <summary>
    /// The output shape: the input's columns plus <c>Score</c> and <c>PredictedLabel</c>. ML.NET does not
    /// let an outside assembly build schema shape columns, so this reports the shape of a public
    /// multiclass trainer with the same label and feature columns and the same outputs.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        _ml.MulticlassClassification.Trainers
            .SdcaMaximumEntropy(_options.LabelColumnName, _options.FeatureColumnName)
            .GetOutputSchema(inputSchema);

    private TrainingData ReadValidation(IDataView data, LabelKeyInfo trainingLabel, int featureSize)
    {
        var o = _options;
        var label = LabelKeyInfo.From(data.Schema.GetColumnOrNull(o.LabelColumnName)
            ?? throw new ArgumentException($"The validation data has no label column '{o.LabelColumnName}'."));
        if (label.Count != trainingLabel.Count)
            throw new ArgumentException($"The validation label '{o.LabelColumnName}' has {label.Count} classes; the training label has {trainingLabel.Count}. Map both with the same MapValueToKey transformer.");
        if (FeatureSize(data.Schema) != featureSize)
            throw new ArgumentException($"The validation feature column '{o.FeatureColumnName}' has {FeatureSize(data.Schema)} values per row; the training data has {featureSize}.");
        return TrainingData.Read(data, o.FeatureColumnName, featureSize, o.LabelColumnName);
    }

    private int FeatureSize(DataViewSchema schema)
    {
        string name = _options.FeatureColumnName;
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"The training data has no feature column '{name}'.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item } vector || item != NumberDataViewType.Single || !vector.IsKnownSize)
            throw new ArgumentException($"Feature column '{name}' has type {column.Type}; expected a known-size vector of Single (raw pixel values, e.g. Vector<Single, 784> for 28x28 grayscale).");
        return vector.Size;
    }
}
