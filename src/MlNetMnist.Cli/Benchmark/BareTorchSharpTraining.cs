using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using MlNetMnist.Networks;
using MlNetMnist.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// The baseline of the training benchmark: the same network, recipe, seed and threads as a library run,
/// written directly against TorchSharp (no ML.NET, no library code): the images go into one tensor,
/// normalised once up front, shuffled with <c>randperm</c> each epoch, and trained in batches with
/// TorchSharp's own optimiser and schedule. The clock starts with the decoded images in managed
/// memory (as the library's <c>Fit</c> starts with them in an <c>IDataView</c>) and LibTorch not yet loaded
/// (each run has its own process, and both load it on their first TorchSharp call), and stops at the trained
/// network. It checks the accuracy on the evaluation images when the library run does (after every
/// epoch, and every <c>ValidationEveryBatches</c> batches), with the clock stopped, so that both loops
/// are interrupted alike and the bare loop has its own time to 99%. The process-wide malloc settings
/// are the same as the library's (LibTorch's buffers kept in the heap), so that only the code differs.
/// </summary>
internal static class BareTorchSharpTraining
{
    /// <summary>The options the bare loop mirrors; every other recipe option must keep its default.</summary>
    private static readonly HashSet<string> Mirrored = new(StringComparer.Ordinal)
    {
        nameof(TorchCnnOptions.Network), nameof(TorchCnnOptions.Epochs), nameof(TorchCnnOptions.BatchSize), nameof(TorchCnnOptions.LearningRate),
        nameof(TorchCnnOptions.Optimizer), nameof(TorchCnnOptions.WeightDecay), nameof(TorchCnnOptions.Momentum), nameof(TorchCnnOptions.Schedule),
        nameof(TorchCnnOptions.StepEpochs), nameof(TorchCnnOptions.StepGamma), nameof(TorchCnnOptions.LabelSmoothing), nameof(TorchCnnOptions.Seed),
        nameof(TorchCnnOptions.Threads), nameof(TorchCnnOptions.NormalizationMean), nameof(TorchCnnOptions.NormalizationStd),
    };

    /// <summary>Options that do not change what is trained (columns, reporting, scoring, checkpoints, validation checks).</summary>
    private static readonly HashSet<string> NotRecipe = new(StringComparer.Ordinal)
    {
        nameof(TorchCnnOptions.LabelColumnName), nameof(TorchCnnOptions.FeatureColumnName), nameof(TorchCnnOptions.Device),
        nameof(TorchCnnOptions.Progress), nameof(TorchCnnOptions.BatchProgress), nameof(TorchCnnOptions.BatchProgressInterval),
        nameof(TorchCnnOptions.CheckpointPath), nameof(TorchCnnOptions.ResumeFromCheckpoint), nameof(TorchCnnOptions.Cancellation),
        nameof(TorchCnnOptions.ValidationEveryBatches), nameof(TorchCnnOptions.ScoringBatchSize),
        nameof(TorchCnnOptions.CalibrateOutputs), nameof(TorchCnnOptions.OutOfDistributionFlagRate),
        nameof(TorchCnnOptions.ImageChannels), nameof(TorchCnnOptions.ImageHeight), nameof(TorchCnnOptions.ImageWidth),
    };

    /// <summary>
    /// Why the bare loop cannot run the recipe of <paramref name="options"/> (an option it does not mirror
    /// differs from its default, e.g. augmentation), or null when it runs the same recipe.
    /// </summary>
    public static string? NotComparable(TorchCnnOptions options)
    {
        var defaults = new TorchCnnOptions();
        foreach (var property in typeof(TorchCnnOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanRead || !property.CanWrite || Mirrored.Contains(property.Name) || NotRecipe.Contains(property.Name)) continue;
            object? value = property.GetValue(options), standard = property.GetValue(defaults);
            if (!Equals(value, standard))
                return string.Format(CultureInfo.InvariantCulture, "{0} = {1} is not mirrored by the bare loop", property.Name, value ?? "null");
        }
        return null;
    }

    /// <summary>Trains the network of <paramref name="definition"/> as <paramref name="options"/> says and measures it.</summary>
    /// <param name="config">The configuration's name, for the result.</param>
    /// <param name="definition">The network (its layers are read as a description).</param>
    /// <param name="options">The recipe.</param>
    /// <param name="data">Training and evaluation images.</param>
    /// <param name="evaluationName">What the accuracy is measured on.</param>
    public static BenchRun Run(string config, NetworkDefinition definition, TorchCnnOptions options, BenchData data, string evaluationName)
    {
        int seed = options.Seed ?? throw new ArgumentException("The bare loop needs an explicit seed.", nameof(options));
        // The clock starts before the first TorchSharp call, which loads LibTorch (as the library's Fit does in its own process).
        var clock = Stopwatch.StartNew();
        SetMalloc();
        torch.set_num_threads(options.Threads ?? Environment.ProcessorCount);

        // Data into tensors, statistics, normalisation once up front.
        using var scope = NewDisposeScope();
        var (trainX, trainY) = ToTensors(data.Train.Pixels, data.Train.Labels, data.Train.Count, data.Train.ImageSize);
        double mean = options.NormalizationMean ?? trainX.mean().ToDouble() / 255, std = options.NormalizationStd ?? trainX.std().ToDouble() / 255;
        double scale = 1 / (255 * std), shift = -mean / std;
        var x = BareTorchSharpNetwork.PrepareInput(trainX, definition, scale, shift);
        trainX.Dispose();
        long n = data.Train.Count;

        torch.random.manual_seed(seed);
        var model = BareTorchSharpNetwork.Build(definition);
        int batchesPerEpoch = (int)((n + options.BatchSize - 1) / options.BatchSize);
        var optimizer = CreateOptimizer(options, model);
        var scheduler = options.Schedule switch
        {
            LearningRateSchedule.OneCycle => optim.lr_scheduler.OneCycleLR(optimizer, options.LearningRate, total_steps: options.Epochs * batchesPerEpoch),
            LearningRateSchedule.Step => optim.lr_scheduler.StepLR(optimizer, options.StepEpochs, options.StepGamma),
            _ => null,
        };
        using var shuffle = new Generator((ulong)seed + 1);
        double preparation = clock.Elapsed.TotalSeconds;

        // The accuracy checks, outside the clock (as the library's): the first training time at 99%.
        clock.Stop();
        var evaluation = EvaluationTensors(data, definition, scale, shift);
        clock.Start();
        double? secondsTo99 = null;
        int? epochTo99 = null;
        long? imagesTo99 = null;
        var accuracyPerEpoch = new List<double>();
        double checkSeconds = 0;
        double Check(int epoch, long images)
        {
            clock.Stop();
            var checkWatch = System.Diagnostics.Stopwatch.StartNew();
            double accuracy = Accuracy(model, evaluation.X, evaluation.Y);
            model.train();
            checkSeconds += checkWatch.Elapsed.TotalSeconds;
            if (secondsTo99 is null && accuracy >= BenchRunner.Target)
                (secondsTo99, epochTo99, imagesTo99) = (clock.Elapsed.TotalSeconds, epoch, images);
            clock.Start();
            return accuracy;
        }

        model.train();
        long batchesDone = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            using var perm = randperm(n, generator: shuffle);
            double lossSum = 0;
            for (long start = 0; start < n; start += options.BatchSize)
            {
                using var batch = NewDisposeScope();
                long end = Math.Min(start + options.BatchSize, n);
                var index = perm.slice(0, start, end, 1);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x.index_select(0, index)), trainY.index_select(0, index), label_smoothing: options.LabelSmoothing);
                loss.backward();
                optimizer.step();
                if (options.Schedule == LearningRateSchedule.OneCycle) scheduler!.step();
                lossSum += loss.ToDouble() * (end - start);
                batchesDone++;
                if (options.ValidationEveryBatches is int every && batchesDone % every == 0 && end < n) Check(epoch, (epoch - 1) * n + end);
            }
            if (options.Schedule == LearningRateSchedule.Step) scheduler!.step();
            _ = lossSum;
            batchesDone = 0;
            accuracyPerEpoch.Add(Check(epoch, epoch * n));
        }
        clock.Stop();
        double total = clock.Elapsed.TotalSeconds, loop = total - preparation;

        double accuracy = accuracyPerEpoch[^1];
        double flops = NetworkFlops.Training(definition);
        double rate = n * options.Epochs / loop;
        return new BenchRun(config, BenchRun.BareTorchSharp, seed, evaluationName, data.Train.Count, data.Evaluation.Count,
            total, preparation, loop, checkSeconds, secondsTo99, epochTo99, options.Epochs, accuracy, accuracyPerEpoch, rate, flops, rate * flops / 1e9, null, BenchRunner.PeakResidentMegabytes(), ImagesTo99: imagesTo99);
    }

    private static (Tensor X, Tensor Y) ToTensors(byte[] pixels, byte[] labels, int count, int imageSize)
    {
        var values = new float[(long)count * imageSize];
        for (int i = 0; i < values.Length; i++) values[i] = pixels[i];
        var y = new long[count];
        for (int i = 0; i < count; i++) y[i] = labels[i];
        return (tensor(values, [count, imageSize]), tensor(y, [count]));
    }

    private static optim.Optimizer CreateOptimizer(TorchCnnOptions o, nn.Module<Tensor, Tensor> model) => o.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
        OptimizerKind.AdamW => optim.AdamW(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(model.parameters(), o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay, nesterov: o.Momentum > 0),
        OptimizerKind.Adadelta => optim.Adadelta(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
        _ => throw new NotSupportedException($"Optimizer {o.Optimizer}."),
    };

    /// <summary>The evaluation images made ready for the network, and their labels.</summary>
    private static (Tensor X, Tensor Y) EvaluationTensors(BenchData data, NetworkDefinition definition, double scale, double shift)
    {
        var (x, y) = ToTensors(data.Evaluation.Pixels, data.Evaluation.Labels, data.Evaluation.Count, data.Evaluation.ImageSize);
        return (BareTorchSharpNetwork.PrepareInput(x, definition, scale, shift), y);
    }

    /// <summary>Accuracy of the network on the evaluation images (evaluation mode; the caller switches back).</summary>
    private static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        model.eval();
        using var mode = inference_mode();
        long correct = 0;
        for (long start = 0; start < y.shape[0]; start += 1000)
        {
            using var batch = NewDisposeScope();
            long end = Math.Min(start + 1000, y.shape[0]);
            correct += model.forward(x.slice(0, start, end, 1)).argmax(1).eq(y.slice(0, start, end, 1)).sum().ToInt64();
        }
        return correct / (double)y.shape[0];
    }

    /// <summary>The same glibc settings as the library applies to its process (see the library's GlibcMallocTuning).</summary>
    private static void SetMalloc()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MLNETMNIST_MALLOC_TUNING") == "0") return;
        try
        {
            _ = mallopt(-3, 32 << 20);      // M_MMAP_THRESHOLD
            _ = mallopt(-1, int.MaxValue);  // M_TRIM_THRESHOLD
            _ = mallopt(-2, 64 << 20);      // M_TOP_PAD
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc: nothing to set, as in the library.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
