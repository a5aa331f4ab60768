using System.CommandLine;
using System.Globalization;
using MlNetMnist.Networks;
using MlNetMnist.Training;

namespace MlNetMnist.Cli;

/// <summary>
/// The <c>train</c> options that become <see cref="TorchCnnOptions"/>, and the mapping. An option that
/// is not given keeps the <see cref="TorchCnnOptions"/> default (shown in the help).
/// </summary>
internal sealed class TrainingOptions
{
    /// <summary>CLI names of the networks.</summary>
    public static IReadOnlyDictionary<string, NetworkArchitecture> Networks { get; } = new Dictionary<string, NetworkArchitecture>
    {
        ["fast-cnn"] = NetworkArchitecture.FastCnn,
        ["classic-cnn"] = NetworkArchitecture.ClassicCnn,
        ["mlp"] = NetworkArchitecture.Mlp,
        ["wide-cnn"] = NetworkArchitecture.WideCnn,
    };

    /// <summary>CLI names of the optimisers.</summary>
    public static IReadOnlyDictionary<string, OptimizerKind> Optimizers { get; } = new Dictionary<string, OptimizerKind>
    {
        ["adam"] = OptimizerKind.Adam,
        ["adamw"] = OptimizerKind.AdamW,
        ["sgd"] = OptimizerKind.Sgd,
        ["adadelta"] = OptimizerKind.Adadelta,
    };

    /// <summary>CLI names of the learning-rate schedules.</summary>
    public static IReadOnlyDictionary<string, LearningRateSchedule> Schedules { get; } = new Dictionary<string, LearningRateSchedule>
    {
        ["constant"] = LearningRateSchedule.Constant,
        ["step"] = LearningRateSchedule.Step,
        ["onecycle"] = LearningRateSchedule.OneCycle,
    };

    /// <summary>CLI names of the devices.</summary>
    public static IReadOnlyDictionary<string, TorchDevice> Devices { get; } = new Dictionary<string, TorchDevice>
    {
        ["cpu"] = TorchDevice.Cpu,
        ["cuda"] = TorchDevice.Cuda,
        ["auto"] = TorchDevice.Auto,
    };

    private static readonly TorchCnnOptions Defaults = new();

    /// <summary>The command line's seed when --seed is not given: a run repeats (the library's default takes the seed from the MLContext).</summary>
    private const int DefaultSeed = 1;

    public Option<string?> Preset { get; } = Choice("--preset", "Start from a named, benchmarked option set (default fast); the options below override it.", TorchCnnPresets.Names);

    public Option<int?> Epochs { get; } = new("--epochs", "-e")
    {
        Description = $"Passes over the training data (default {Defaults.Epochs}).",
        HelpName = "N",
    };

    public Option<string?> Network { get; } = Choice("--network", $"Network to train (default {NameOf(Networks, Defaults.Network)}).", Networks.Keys);

    public Option<int?> BatchSize { get; } = new("--batch-size")
    {
        Description = $"Images per training batch (default {Defaults.BatchSize}).",
        HelpName = "N",
    };

    public Option<double?> LearningRate { get; } = new("--learning-rate", "--lr")
    {
        Description = $"Learning rate; the peak rate of the one-cycle schedule (default {Defaults.LearningRate.ToString(CultureInfo.InvariantCulture)}).",
        HelpName = "X",
    };

    public Option<string?> Optimizer { get; } = Choice("--optimizer", $"Optimiser (default {NameOf(Optimizers, Defaults.Optimizer)}).", Optimizers.Keys);

    public Option<string?> Schedule { get; } = Choice("--schedule", $"Learning-rate schedule (default {NameOf(Schedules, Defaults.Schedule)}).", Schedules.Keys);

    public Option<double?> ValidationFraction { get; } = new("--validation-fraction")
    {
        Description = $"Fraction of the training rows held out to report validation loss and accuracy each epoch, 0 to 1 (default {Defaults.ValidationFraction.ToString(CultureInfo.InvariantCulture)}).",
        HelpName = "X",
    };

    public Option<int?> Seed { get; } = new("--seed")
    {
        Description = $"Random seed for initialisation, shuffling and the validation split (default {DefaultSeed}).",
        HelpName = "N",
    };

    public Option<string?> Device { get; } = Choice("--device", $"Where to train (default {NameOf(Devices, Defaults.Device)}); cuda needs the CUDA build of TorchSharp.", Devices.Keys);

    public Option<int?> Threads { get; } = new("--threads")
    {
        Description = "TorchSharp threads, and ONNX Runtime threads for the saved model (default: all cores).",
        HelpName = "N",
    };

    public Option<bool> OutlierExposure { get; } = new("--outlier-exposure")
    {
        Description = "Also train on non-digit images made from the training rows (noise, textures, printed letters from the system fonts, several digits, parts of digits) as a \"not a digit\" answer, so that the out-of-distribution score flags such inputs; needs --validation-fraction (the score is calibrated on the held-out rows), 28x28 grayscale images and a full-length training (e.g. --epochs 8 on all 60,000 MNIST images: 95-96% of non-digits flagged, against 89-92% at 4 epochs on 20,000).",
    };

    /// <summary>All the options, to add to a command.</summary>
    public IEnumerable<Option> All => [Preset, Epochs, Network, BatchSize, LearningRate, Optimizer, Schedule, ValidationFraction, Seed, Device, Threads, OutlierExposure];

    /// <summary>
    /// The <see cref="TorchCnnOptions"/> for the parsed command line, validated.
    /// </summary>
    /// <exception cref="UsageException">A value is out of range; the message names the option and the <see cref="TorchCnnOptions"/> property.</exception>
    public TorchCnnOptions ToTorchCnnOptions(ParseResult parseResult)
    {
        var o = parseResult.GetValue(Preset) is string preset ? TorchCnnPresets.Get(preset) : new TorchCnnOptions();
        if (parseResult.GetValue(Epochs) is int epochs) o.Epochs = epochs;
        if (parseResult.GetValue(Network) is string network) o.Network = Networks[network];
        if (parseResult.GetValue(BatchSize) is int batchSize) o.BatchSize = batchSize;
        if (parseResult.GetValue(LearningRate) is double learningRate) o.LearningRate = learningRate;
        if (parseResult.GetValue(Optimizer) is string optimizer) o.Optimizer = Optimizers[optimizer];
        if (parseResult.GetValue(Schedule) is string schedule) o.Schedule = Schedules[schedule];
        if (parseResult.GetValue(ValidationFraction) is double fraction) o.ValidationFraction = fraction;
        o.Seed = parseResult.GetValue(Seed) ?? o.Seed ?? DefaultSeed;
        if (parseResult.GetValue(Device) is string device) o.Device = Devices[device];
        if (parseResult.GetValue(Threads) is int threads) o.Threads = threads;
        if (parseResult.GetValue(OutlierExposure))
        {
            if (!(o.ValidationFraction > 0))
                throw new UsageException("--outlier-exposure: the out-of-distribution score it trains for is calibrated on held-out training rows; add --validation-fraction (e.g. 0.1).");
            o.OutlierExposure = new MlNetMnist.Training.OutlierExposure();
        }
        Validate(o);
        return o;
    }

    /// <summary>Runs <see cref="TorchCnnOptions.Validate"/>, reporting a failure as a usage error that names the CLI option.</summary>
    public void Validate(TorchCnnOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            string message = CliConsole.Describe(e);
            var option = All.FirstOrDefault(opt => e.ParamName is { } p && OptionPropertyName(opt) == p);
            throw new UsageException(option is null ? message : $"{option.Name}: {message}", e);
        }
    }

    /// <summary>A one-line summary of the training settings.</summary>
    public static string Describe(TorchCnnOptions o)
    {
        var ci = CultureInfo.InvariantCulture;
        return string.Format(ci, "network {0}, {1} epoch{2}, batch {3}, {4} lr {5}, {6} schedule{11}{12}, seed {7}, device {8}{9}{10}",
            NameOf(Networks, o.Network), o.Epochs, o.Epochs == 1 ? "" : "s", o.BatchSize, NameOf(Optimizers, o.Optimizer), o.LearningRate,
            NameOf(Schedules, o.Schedule), o.Seed, NameOf(Devices, o.Device),
            o.ValidationFraction > 0 ? string.Format(ci, ", validation {0:F0}%", o.ValidationFraction * 100) : "",
            o.Threads is int t ? string.Format(ci, ", {0} threads", t) : "",
            o.LabelSmoothing > 0 ? string.Format(ci, ", label smoothing {0}", o.LabelSmoothing) : "",
            o.Augmentation is { } a ? string.Format(ci, ", augmentation (rotation {0} deg, scale {1}, shift {2} px{3}{4})", a.MaxRotationDegrees, a.MaxScale, a.MaxShiftPixels,
                a.MaxStrokeChangePixels > 0 ? string.Format(ci, ", stroke width +-{0} px", a.MaxStrokeChangePixels) : "",
                a.MaxSaltAndPepperFraction > 0 ? string.Format(ci, ", salt-and-pepper up to {0:P1}", a.MaxSaltAndPepperFraction) : "") : "")
            + (o.OutlierExposure is { } x ? string.Format(ci, ", outlier exposure ({0} non-digit images per batch, {1} loss, weight {2})", x.ImagesPerBatch, x.Loss, x.Weight) : "");
    }

    private static string OptionPropertyName(Option option) => option.Name switch
    {
        "--epochs" => nameof(TorchCnnOptions.Epochs),
        "--batch-size" => nameof(TorchCnnOptions.BatchSize),
        "--learning-rate" => nameof(TorchCnnOptions.LearningRate),
        "--validation-fraction" => nameof(TorchCnnOptions.ValidationFraction),
        "--threads" => nameof(TorchCnnOptions.Threads),
        "--seed" => nameof(TorchCnnOptions.Seed),
        _ => "",
    };

    private static string NameOf<T>(IReadOnlyDictionary<string, T> names, T value) where T : struct, Enum =>
        names.First(pair => EqualityComparer<T>.Default.Equals(pair.Value, value)).Key;

    private static Option<string?> Choice(string name, string description, IEnumerable<string> values)
    {
        var option = new Option<string?>(name) { Description = description };
        option.AcceptOnlyFromAmong(values.ToArray());
        return option;
    }
}
