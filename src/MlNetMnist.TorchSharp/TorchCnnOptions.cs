using MlNetMnist.Networks;
using MlNetMnist.Training;

namespace MlNetMnist;

/// <summary>
/// Options of the TorchSharp image classifier (<see cref="TorchCnnCatalog.TorchCnn(Microsoft.ML.MulticlassClassificationCatalog.MulticlassClassificationTrainers, TorchCnnOptions)"/>).
/// Defaults are the fast preset: a small CNN that reaches 99% MNIST test accuracy in a few epochs on a CPU.
/// </summary>
public sealed class TorchCnnOptions
{
    /// <summary>Label column: a key type (use <c>MapValueToKey</c>). Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = DefaultColumnNames.Label;

    /// <summary>Feature column: a known-size vector of <see cref="float"/> raw pixel values (0-255), row-major. Default <c>Features</c>.</summary>
    public string FeatureColumnName { get; set; } = DefaultColumnNames.Features;

    /// <summary>The network to train. Default <see cref="NetworkArchitecture.FastCnn"/>.</summary>
    public NetworkArchitecture Network { get; set; } = NetworkArchitecture.FastCnn;

    /// <summary>Image channels; null infers 1 (grayscale).</summary>
    public int? ImageChannels { get; set; }

    /// <summary>Image height; null infers a square image from the feature vector size (784 gives 28).</summary>
    public int? ImageHeight { get; set; }

    /// <summary>Image width; null infers a square image from the feature vector size.</summary>
    public int? ImageWidth { get; set; }

    /// <summary>Passes over the training data. Default 2.</summary>
    public int Epochs { get; set; } = 2;

    /// <summary>Images per training batch. Default 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Learning rate (the peak rate of the one-cycle schedule). Default 0.03.</summary>
    public double LearningRate { get; set; } = 0.03;

    /// <summary>Optimiser. Default <see cref="OptimizerKind.AdamW"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.AdamW;

    /// <summary>Weight decay (L2 for Adam/SGD/Adadelta, decoupled for AdamW). Default 5e-4.</summary>
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>Momentum of SGD (Nesterov). Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Learning-rate schedule. Default <see cref="LearningRateSchedule.OneCycle"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.OneCycle;

    /// <summary>Step schedule: epochs between decays. Default 1.</summary>
    public int StepEpochs { get; set; } = 1;

    /// <summary>Step schedule: decay factor. Default 0.7 (the PyTorch example's gamma).</summary>
    public double StepGamma { get; set; } = 0.7;

    /// <summary>
    /// Label smoothing of the cross-entropy loss (0-1). Default 0. Smoothing 0.1 reaches 99% sooner and
    /// ends a little higher, but caps the probability of a sure digit near 0.9: without a calibration
    /// (validation rows) a service's confidence threshold then flags many correct digits (see the README).
    /// </summary>
    public double LabelSmoothing { get; set; }

    /// <summary>
    /// Random seed for weight initialisation, shuffling and the validation split. Null (the default)
    /// takes one from the <c>MLContext</c> the trainer was created from, as ML.NET's own trainers do:
    /// <c>new MLContext(seed: 1)</c> then gives the same model on every run, and a context without a
    /// seed a different one. The trainer's <see cref="TorchCnnTrainer.Options"/> show the seed used.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>Device to train and score on. Default <see cref="TorchDevice.Cpu"/>.</summary>
    public TorchDevice Device { get; set; } = TorchDevice.Cpu;

    /// <summary>Fraction of the training rows held out to report validation loss and accuracy each epoch (0 = none). Default 0.</summary>
    public double ValidationFraction { get; set; }

    /// <summary>
    /// Random rotations, scaling and shifts applied to each training batch (in tensors). Null (the
    /// default) trains on the images as they are.
    /// </summary>
    public BatchAugmentation? Augmentation { get; set; }

    /// <summary>
    /// Outlier exposure: non-digit images (noise, textures, printed letters, several digits, parts of
    /// digits) made from the training rows and added to every batch, trained as "not a digit" (by default; see <see cref="Training.OutlierExposureLoss"/>), so
    /// that the out-of-distribution score flags such inputs (see <see cref="Training.OutlierExposure"/>).
    /// Needs 28x28 single-channel images. Null (the default): off.
    /// </summary>
    public OutlierExposure? OutlierExposure { get; set; }

    /// <summary>
    /// Early stopping: stop when validation accuracy has not improved by more than
    /// <see cref="EarlyStoppingMinDelta"/> for this many epochs, and keep the weights of the best
    /// epoch. Needs validation data. Null (the default) trains all epochs.
    /// </summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Smallest validation-accuracy gain (0-1) that counts as an improvement for early stopping. Default 0.</summary>
    public double EarlyStoppingMinDelta { get; set; }

    /// <summary>
    /// Also evaluate the validation data every this many training batches, in the middle of epochs, and
    /// record the results in <see cref="TrainingHistory.Checks"/> (for a finer "time to accuracy X";
    /// the time spent validating is not training time). Training itself is unchanged. Null: only at
    /// the end of each epoch. Needs validation data.
    /// </summary>
    public int? ValidationEveryBatches { get; set; }

    /// <summary>Stop as soon as validation accuracy reaches this value (0-1). Needs validation data. Null: no target.</summary>
    public double? TargetValidationAccuracy { get; set; }

    /// <summary>
    /// Threads for TorchSharp (intra-op; a process-wide LibTorch setting) in training and in-process
    /// scoring. Null uses all cores. A model loaded from <c>model.zip</c> scores with ONNX Runtime, whose
    /// threads are a setting of the loading context: <see cref="OnnxRuntimeThreads.SetOnnxThreads"/>
    /// (the CLI's <c>--threads</c> sets both). On the CPU, training is bit-reproducible for a
    /// given seed and thread count; another thread count (and so null on another machine) gives slightly
    /// different weights (see docs/reliability.md).
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>Mean of the pixel values scaled to 0-1, used to normalise inputs inside the network. Null computes it from the training data.</summary>
    public float? NormalizationMean { get; set; }

    /// <summary>Standard deviation of the pixel values scaled to 0-1. Null computes it from the training data.</summary>
    public float? NormalizationStd { get; set; }

    /// <summary>
    /// Whether the network inverts dark-on-light images itself (<see cref="Images.InputPolarity.AutoInvert"/>:
    /// a first layer, also in the saved ONNX graph, inverts every image whose border is light). Default
    /// <see cref="Images.InputPolarity.AsIs"/>.
    /// </summary>
    public Images.InputPolarity InputPolarity { get; set; } = Images.InputPolarity.AsIs;

    /// <summary>
    /// Calibrate the trained network's outputs on the validation rows (<see cref="ValidationFraction"/> or
    /// the validation data given to <c>Fit</c>; nothing happens without them): temperature scaling, so the
    /// probabilities mean what they say, and the out-of-distribution score (see
    /// <see cref="OutOfDistributionFlagRate"/>). Both are saved inside the ONNX graph. Default true.
    /// </summary>
    public bool CalibrateOutputs { get; set; } = true;

    /// <summary>
    /// The fraction of held-out (validation) digits the out-of-distribution score is calibrated to flag;
    /// the fraction of non-digits it catches follows from it (see the README's trade-off table). 0: no
    /// out-of-distribution score. Needs at least 200 validation rows. Default 0.01.
    /// </summary>
    public double OutOfDistributionFlagRate { get; set; } = 0.01;

    /// <summary>Rows per network call when scoring through <c>Transform</c>. Default 256.</summary>
    public int ScoringBatchSize { get; set; } = 256;

    /// <summary>
    /// What runs the trained network when the transformer scores in process. Default
    /// <see cref="TorchCnnScoringEngine.Auto"/>: ONNX Runtime with the graph <c>model.zip</c> saves on
    /// the CPU, TorchSharp on a GPU.
    /// </summary>
    public TorchCnnScoringEngine ScoringEngine { get; set; } = TorchCnnScoringEngine.Auto;

    /// <summary>
    /// Called at the end of every epoch with loss, accuracy, learning rate and time, and with the
    /// warnings raised since the previous call (<see cref="TrainingProgress.Warnings"/>). The same lines
    /// also go to the <c>MLContext</c>'s <c>Log</c> event.
    /// </summary>
    public Action<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Called while an epoch runs, at most once per <see cref="BatchProgressInterval"/> and after its
    /// last batch, with the batches done, images per second, running loss and accuracy and the time
    /// left in the epoch (a live progress line, as the tqdm bars of the PyTorch tutorials). Null (the
    /// default) reports nothing; the numbers are accumulated anyway, so it costs nothing in the loop.
    /// </summary>
    public Action<BatchProgress>? BatchProgress { get; set; }

    /// <summary>The least time between two <see cref="BatchProgress"/> calls. Default 0.25 s.</summary>
    public TimeSpan BatchProgressInterval { get; set; } = TimeSpan.FromSeconds(0.25);

    /// <summary>
    /// Training checkpoint file. When set, the network, the optimiser state, the learning-rate schedule's
    /// position, the epoch and batch, the random-generator states, early stopping and the history are
    /// written to this file (atomically: temporary file, then rename) after every epoch and when
    /// training is cancelled, so that <see cref="ResumeFromCheckpoint"/> can continue the run. Null
    /// (the default) writes no checkpoints.
    /// </summary>
    public string? CheckpointPath { get; set; }

    /// <summary>
    /// Continue the run saved at <see cref="CheckpointPath"/> instead of starting a new one. The file
    /// must exist, and the options that change the result and the training data must be those of the
    /// run that wrote it (otherwise training fails naming what differs). On the CPU, with the same
    /// <see cref="Threads"/>, the resumed run ends with the same weights, bit for bit, as a run that was
    /// never interrupted. A checkpoint of a finished run gives its final model without training. Default false.
    /// </summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>
    /// Stops training at the start of the next batch when signalled, writing a checkpoint first if
    /// <see cref="CheckpointPath"/> is set; <c>Fit</c> then throws <see cref="TrainingInterruptedException"/>
    /// (an <see cref="OperationCanceledException"/>). This is the way to cancel training inside an ML.NET
    /// pipeline, whose <c>Fit</c> takes no token; it is combined with the token given to
    /// <see cref="TorchCnnTrainer.Fit(Microsoft.ML.IDataView, CancellationToken)"/>. Default: none.
    /// </summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>Test hook: called after every training batch with the epoch and the batches done in it.</summary>
    internal Action<int, long>? AfterBatch { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        static void Require(bool ok, string name, object value, string expected)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"TorchCnnOptions.{name} is {value}; expected {expected}.");
        }
        Require(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Require(BatchProgressInterval >= TimeSpan.Zero, nameof(BatchProgressInterval), BatchProgressInterval, "zero or more");
        Require(LearningRate > 0 && LearningRate <= MaxLearningRate, nameof(LearningRate), LearningRate,
            "a positive number no larger than 10 (typical: 0.001-0.02 for Adam/AdamW, 0.01-0.1 for SGD, 1.0 for Adadelta)");
        Require(WeightDecay >= 0 && WeightDecay < 1, nameof(WeightDecay), WeightDecay, "in [0, 1) (typical: 0 to 5e-4)");
        Require(Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "in [0, 1)");
        Require(StepEpochs >= 1, nameof(StepEpochs), StepEpochs, "at least 1");
        Require(StepGamma > 0 && StepGamma <= 1, nameof(StepGamma), StepGamma, "in (0, 1]");
        Require(LabelSmoothing >= 0 && LabelSmoothing < 1, nameof(LabelSmoothing), LabelSmoothing, "in [0, 1)");
        Require(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), ValidationFraction, "in [0, 1)");
        if (Augmentation is { } augmentation)
        {
            Require(augmentation.MaxStrokeChangePixels is >= 0 and <= 2, "Augmentation.MaxStrokeChangePixels", augmentation.MaxStrokeChangePixels, "in [0, 2]");
            Require(augmentation.MaxSaltAndPepperFraction is >= 0 and <= 1, "Augmentation.MaxSaltAndPepperFraction", augmentation.MaxSaltAndPepperFraction, "in [0, 1]");
        }
        if (OutlierExposure is { } exposure)
        {
            Require(exposure.Weight > 0 && exposure.Weight <= 10, "OutlierExposure.Weight", exposure.Weight, "in (0, 10] (typical: 0.25-0.5)");
            Require(exposure.ImagesPerBatch >= 1, "OutlierExposure.ImagesPerBatch", exposure.ImagesPerBatch, "at least 1");
            Require(exposure.PoolSize >= 100, "OutlierExposure.PoolSize", exposure.PoolSize, "at least 100");
        }
        Require(EarlyStoppingPatience is null or >= 1, nameof(EarlyStoppingPatience), EarlyStoppingPatience ?? 0, "at least 1");
        Require(EarlyStoppingMinDelta >= 0 && EarlyStoppingMinDelta < 1, nameof(EarlyStoppingMinDelta), EarlyStoppingMinDelta, "in [0, 1)");
        Require(TargetValidationAccuracy is null or (> 0 and <= 1), nameof(TargetValidationAccuracy), TargetValidationAccuracy ?? 0, "in (0, 1]");
        Require(Threads is null or >= 1, nameof(Threads), Threads ?? 0, "at least 1");
        Require(ValidationEveryBatches is null or >= 1, nameof(ValidationEveryBatches), ValidationEveryBatches ?? 0, "at least 1 (or null)");
        Require(OutOfDistributionFlagRate >= 0 && OutOfDistributionFlagRate < 0.5, nameof(OutOfDistributionFlagRate), OutOfDistributionFlagRate, "in [0, 0.5)");
        Require(ScoringBatchSize >= 1, nameof(ScoringBatchSize), ScoringBatchSize, "at least 1");
        Require(Enum.IsDefined(ScoringEngine), nameof(ScoringEngine), ScoringEngine, "Auto, TorchSharp or OnnxRuntime");
        // NaN fails every comparison, so these also refuse NaN (and the bounds refuse infinities).
        Require(NormalizationMean is null or (>= 0 and <= 1), nameof(NormalizationMean), NormalizationMean ?? 0,
            "a finite number in [0, 1]: the mean of the pixel values divided by 255 (MNIST: 0.1307), or null to compute it from the training data");
        Require(NormalizationStd is null or (> 0 and <= 1), nameof(NormalizationStd), NormalizationStd ?? 0,
            "a finite number in (0, 1]: the standard deviation of the pixel values divided by 255 (MNIST: 0.3081), or null to compute it from the training data");
        if ((NormalizationMean is null) != (NormalizationStd is null))
            throw new ArgumentException("TorchCnnOptions.NormalizationMean and NormalizationStd go together: set both, or neither to compute them from the training data.",
                NormalizationMean is null ? nameof(NormalizationMean) : nameof(NormalizationStd));
        Require(ImageChannels is null or >= 1, nameof(ImageChannels), ImageChannels ?? 0, "at least 1");
        Require(ImageHeight is null or >= 1, nameof(ImageHeight), ImageHeight ?? 0, "at least 1");
        Require(ImageWidth is null or >= 1, nameof(ImageWidth), ImageWidth ?? 0, "at least 1");
        if (string.IsNullOrWhiteSpace(LabelColumnName)) throw new ArgumentException("TorchCnnOptions.LabelColumnName is empty.");
        if (string.IsNullOrWhiteSpace(FeatureColumnName)) throw new ArgumentException("TorchCnnOptions.FeatureColumnName is empty.");
        if (CheckpointPath is not null && string.IsNullOrWhiteSpace(CheckpointPath)) throw new ArgumentException("TorchCnnOptions.CheckpointPath is empty; set a file path or null for no checkpoints.", nameof(CheckpointPath));
        if (ResumeFromCheckpoint && CheckpointPath is null) throw new ArgumentException("TorchCnnOptions.ResumeFromCheckpoint needs TorchCnnOptions.CheckpointPath: the checkpoint file to resume from.", nameof(ResumeFromCheckpoint));
    }

    /// <summary>The largest learning rate <see cref="Validate"/> accepts: beyond it every optimiser here diverges.</summary>
    internal const double MaxLearningRate = 10;

    /// <summary>The seed in use: the trainer sets <see cref="Seed"/> (from the context when null) before training.</summary>
    internal int ResolvedSeed => Seed ?? throw new InvalidOperationException("TorchCnnOptions.Seed was not resolved from the MLContext.");

    /// <summary>True when an option needs validation data (early stopping or a target accuracy).</summary>
    internal bool NeedsValidation => EarlyStoppingPatience is not null || TargetValidationAccuracy is not null;

    /// <summary>A copy of these options (the progress callback is shared).</summary>
    public TorchCnnOptions Clone() => (TorchCnnOptions)MemberwiseClone();
}
