using TorchSharp;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// A labelled data set held in two tensors: features <c>[N, D]</c> (float32, raw values) and class
/// indices <c>[N]</c> (int64, 0-based). Read once from an <see cref="IDataView"/>; training batches
/// are then sliced from these tensors, never pulled row by row through a cursor.
/// </summary>
internal sealed class TrainingData : IDisposable
{
    public TrainingData(Tensor features, Tensor labels)
    {
        Features = features;
        Labels = labels;
    }

    /// <summary>Features <c>[N, D]</c>.</summary>
    public Tensor Features { get; }

    /// <summary>Class indices <c>[N]</c> (label key minus one).</summary>
    public Tensor Labels { get; }

    /// <summary>Number of rows.</summary>
    public long Count => Labels.shape[0];

    /// <summary>
    /// Reads the feature vectors and key-typed labels of <paramref name="data"/>. Missing labels (key 0)
    /// and non-finite feature values are refused with a message naming the column, the row and the value.
    /// </summary>
    public static TrainingData Read(IDataView data, string featureColumn, int featureSize, string labelColumn)
    {
        var features = data.Schema[featureColumn];
        var label = data.Schema[labelColumn];
        long capacity = Math.Max(data.GetRowCount() ?? 1024, 1);
        // Uninitialised: every value is written before it is read (zeroing 188 MB first costs time for nothing).
        var x = GC.AllocateUninitializedArray<float>(checked((int)(capacity * featureSize)));
        var y = new long[capacity];
        long rows = 0;

        using (var cursor = data.GetRowCursor(new[] { features, label }))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            var getLabel = cursor.GetGetter<uint>(label);
            VBuffer<float> buffer = default;
            uint key = 0;
            while (cursor.MoveNext())
            {
                if (rows == y.Length)
                {
                    Array.Resize(ref y, checked(y.Length * 2));
                    Array.Resize(ref x, checked(y.Length * featureSize));
                }
                getLabel(ref key);
                if (key == 0)
                    throw new InvalidDataException($"Column '{labelColumn}', row {rows}: the label is missing (key value 0); every training row needs a label.");
                y[rows] = key - 1;

                getFeatures(ref buffer);
                if (buffer.Length != featureSize)
                    throw new InvalidDataException($"Column '{featureColumn}', row {rows}: vector of {buffer.Length} values; expected {featureSize}.");
                var target = x.AsSpan(checked((int)(rows * featureSize)), featureSize);
                buffer.CopyTo(target);
                if (FirstNonFinite(target) is int slot)
                    throw new InvalidDataException($"Column '{featureColumn}', row {rows}, slot {slot}: value {target[slot]} is not a finite number.");
                rows++;
            }
        }
        if (rows == 0)
            throw new InvalidDataException($"The training data has no rows (columns '{featureColumn}' and '{labelColumn}').");

        // When the row count was known up front the arrays are exactly full and are handed over
        // without another copy (a full MNIST training set is 188 MB of floats): from_array shares the
        // array's memory (pinned until the tensor is freed); torch.tensor would copy it into fresh native
        // memory, whose first touch alone took about 0.5 s on the project machine.
        if (y.Length != rows)
        {
            Array.Resize(ref y, checked((int)rows));
            Array.Resize(ref x, checked((int)(rows * featureSize)));
        }
        using var flat = from_array(x);
        return new TrainingData(flat.reshape(rows, featureSize), tensor(y, new[] { rows }));
    }

    /// <summary>The index of the first value of <paramref name="values"/> that is NaN or infinite, or null (the check TorchCnnTransformer.CheckFinite makes).</summary>
    internal static int? FirstNonFinite(ReadOnlySpan<float> values) =>
        FiniteValues.IndexOfNonFinite(values) is int i and >= 0 ? i : null;

    /// <summary>
    /// Splits off a random <paramref name="fraction"/> of the rows (at least one row stays on each side).
    /// The caller owns both results; this instance is unchanged.
    /// </summary>
    public (TrainingData Train, TrainingData Validation) Split(double fraction, int seed)
    {
        long n = Count;
        long held = Math.Clamp((long)Math.Round(n * fraction), 1, n - 1);
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var perm = randperm(n, generator: generator);
        var trainIdx = perm.slice(0, held, n, 1);
        var valIdx = perm.slice(0, 0, held, 1);
        var train = new TrainingData(Features.index_select(0, trainIdx).MoveToOuterDisposeScope(), Labels.index_select(0, trainIdx).MoveToOuterDisposeScope());
        var validation = new TrainingData(Features.index_select(0, valIdx).MoveToOuterDisposeScope(), Labels.index_select(0, valIdx).MoveToOuterDisposeScope());
        return (train, validation);
    }

    /// <summary>Moves both tensors to <paramref name="device"/> (a new instance; this one is unchanged).</summary>
    public TrainingData To(Device device) => new(Features.to(device), Labels.to(device));

    /// <summary>Mean and standard deviation of the feature values divided by 255.</summary>
    public (float Mean, float Std) PixelStatistics()
    {
        using var scope = NewDisposeScope();
        return (Features.mean().ToSingle() / 255f, Features.std().ToSingle() / 255f);
    }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
