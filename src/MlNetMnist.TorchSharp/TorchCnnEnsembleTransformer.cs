using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Onnx;
using MlNetMnist.Reports;
using MlNetMnist.SavedModels;
using MlNetMnist.Scoring;
using MlNetMnist.Training;

namespace MlNetMnist;

/// <summary>
/// Several trained TorchSharp classifiers as one ML.NET transformer: <c>Score</c> is the mean of the
/// members' class probabilities, <c>PredictedLabel</c> its most probable class (the label's key type),
/// exactly the columns of a single <see cref="TorchCnnTransformer"/>.
/// </summary>
/// <remarks>
/// <c>mlContext.Model.Save</c> writes the whole ensemble as ONE ONNX graph (every member, then the mean
/// of their softmax outputs) inside the same chain of ML.NET's own transformers as a single network,
/// so <c>mlContext.Model.Load</c> needs only <c>Microsoft.ML</c>, <c>Microsoft.ML.OnnxTransformer</c>
/// and <c>Microsoft.ML.OnnxRuntime</c>, and a consumer cannot tell an ensemble from one network.
/// Disposing the ensemble frees every member.
/// </remarks>
public sealed class TorchCnnEnsembleTransformer : IImageClassifierModel, IDisposable, IScoringModel
{
    private readonly TorchCnnTransformer[] _members;
    private readonly TorchCnnTransformer _first;
    private readonly Lazy<OnnxRuntimeScorer>? _onnxRuntime;
    private bool _disposed;

    /// <summary>Combines trained classifiers; the ensemble owns them from now on (disposing it disposes them).</summary>
    /// <param name="members">At least one classifier; all must read the same feature column with the same size and have the same classes in the same order.</param>
    /// <exception cref="ArgumentException">No member, or members that disagree on the input or the classes.</exception>
    public TorchCnnEnsembleTransformer(IEnumerable<TorchCnnTransformer> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = members.ToArray();
        if (_members.Length == 0) throw new ArgumentException("An ensemble needs at least one member.", nameof(members));
        _first = _members[0] ?? throw new ArgumentException("Ensemble member 0 is null.", nameof(members));
        for (int i = 1; i < _members.Length; i++)
        {
            var m = _members[i] ?? throw new ArgumentException($"Ensemble member {i} is null.", nameof(members));
            if (m.FeatureColumnName != _first.FeatureColumnName || m.InputSize != _first.InputSize)
                throw new ArgumentException($"Ensemble member {i} reads '{m.FeatureColumnName}' ({m.InputSize} values); member 0 reads '{_first.FeatureColumnName}' ({_first.InputSize} values).", nameof(members));
            if (!m.ClassNames.SequenceEqual(_first.ClassNames))
                throw new ArgumentException($"Ensemble member {i} has the classes {string.Join(", ", m.ClassNames)}; member 0 has {string.Join(", ", _first.ClassNames)} (same classes in the same key order needed: train every member on the same key-mapped labels).", nameof(members));
        }
        if (ScoringEngine == TorchCnnScoringEngine.OnnxRuntime)
            _onnxRuntime = new Lazy<OnnxRuntimeScorer>(CreateOnnxRuntimeScorer, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// What scores the ensemble in process: ONNX Runtime on the one graph <c>model.zip</c> saves when
    /// every member scores with ONNX Runtime (<see cref="TorchCnnTransformer.ScoringEngine"/>), otherwise
    /// each member with TorchSharp and the mean of their probabilities.
    /// </summary>
    public TorchCnnScoringEngine ScoringEngine =>
        _members.All(m => m.ScoringEngine == TorchCnnScoringEngine.OnnxRuntime) ? TorchCnnScoringEngine.OnnxRuntime : TorchCnnScoringEngine.TorchSharp;

    private OnnxRuntimeScorer CreateOnnxRuntimeScorer()
    {
        var options = ExportOptions(OnnxLayout.Batch, predictedIndexName: null);
        return new OnnxRuntimeScorer(OnnxEnsembleExporter.Export(Graphs(), options), _first.InputSize, _first.Classes, 0,
            (options.InputName, options.ScoreName, options.OutOfDistributionName), _first.Options.Threads);
    }

    /// <summary>The member classifiers, in training order.</summary>
    public IReadOnlyList<TorchCnnTransformer> Members => _members;

    /// <inheritdoc/>
    public string FeatureColumnName => _first.FeatureColumnName;

    /// <inheritdoc/>
    public string LabelColumnName => _first.LabelColumnName;

    /// <inheritdoc/>
    public ImageShape InputShape => _first.InputShape;

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => _first.ClassNames;

    /// <summary>Null: every member has its own history (<see cref="Members"/>).</summary>
    public TrainingHistory? History => null;

    /// <summary>The ensemble (size, member networks and seeds), then the first member's network and options.</summary>
    public IReadOnlyList<MetadataEntry> Describe()
    {
        var entries = new List<MetadataEntry>
        {
            new("Ensemble", string.Create(CultureInfo.InvariantCulture, $"{_members.Length} networks, mean of their class probabilities")),
            new("Members", string.Join(", ", _members.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Network.Name} (seed {m.Options.Seed?.ToString(CultureInfo.InvariantCulture) ?? "?"})")))),
        };
        entries.AddRange(_first.Describe().Where(e => entries.All(x => x.Name != e.Name)));
        return entries;
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <summary>
    /// The input's columns plus <c>Score</c> and <c>PredictedLabel</c>, as a single network's. An ensemble
    /// has no out-of-distribution output (each member's is calibrated for that member alone).
    /// </summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var single = _first.GetOutputSchema(inputSchema);
        var builder = new DataViewSchema.Builder();
        foreach (var column in single.Take(inputSchema.Count + 2)) builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => new ScoredDataView(input, this, _first.Options.ScoringBatchSize);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new TorchCnnRowMapper(this, inputSchema);

    /// <summary>Saves the ensemble as ML.NET's own transformers around ONE averaging ONNX graph. Called by <c>mlContext.Model.Save</c>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        SavedModelBuilder.Save(new SavedClassifier(FeatureColumnName, _first.InputSize, _first.Label, false,
            () => OnnxEnsembleExporter.Export(Graphs(), ExportOptions(OnnxLayout.Row, SavedModelBuilder.IndexColumn))), ctx);

    /// <summary>
    /// The ensemble as one standalone ONNX model: input <c>[N, InputSize]</c> raw pixel values named like
    /// the feature column, outputs <c>Score</c> <c>[N, classes]</c> (the mean of the members' probabilities)
    /// and <c>PredictedIndex</c> <c>[N]</c>; class names in the metadata as for a single network.
    /// </summary>
    public byte[] ExportOnnx() => OnnxEnsembleExporter.Export(Graphs(), ExportOptions(OnnxLayout.Batch, "PredictedIndex"));

    /// <summary>Writes <see cref="ExportOnnx()"/> to <paramref name="path"/> atomically.</summary>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = ExportOnnx();
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// The ensemble with the MNIST-style centring in front, as ONE standalone ONNX model that reads
    /// real-world images: input <c>float [N, 4, S, S]</c> named <see cref="Images.DigitImageInputOptions.ImageColumnName"/>,
    /// the alpha, red, green and blue planes (0-255) of an image fitted into S x S
    /// (<see cref="Images.DigitImageInputOptions.WorkingSize"/>) keeping its aspect ratio with transparent
    /// padding, centred once and fed to every member; outputs as <see cref="ExportOnnx()"/>. See
    /// <see cref="TorchCnnTransformer.ExportOnnx(Images.DigitImageInputOptions)"/>.
    /// </summary>
    /// <param name="imageInput">The image-input options (working size, box size, polarity).</param>
    /// <exception cref="ArgumentException">The options do not centre into the members' one-channel input size.</exception>
    public byte[] ExportOnnx(Images.DigitImageInputOptions imageInput)
    {
        ArgumentNullException.ThrowIfNull(imageInput);
        var options = ExportOptions(OnnxLayout.Batch, "PredictedIndex");
        options.ImageInput = imageInput.Clone();
        options.InputName = imageInput.ImageColumnName;
        return OnnxEnsembleExporter.Export(Graphs(), options);
    }

    /// <summary>Writes <see cref="ExportOnnx(Images.DigitImageInputOptions)"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Destination file; its folder is created if missing.</param>
    /// <param name="imageInput">The image-input options (working size, box size, polarity).</param>
    public void ExportOnnx(string path, Images.DigitImageInputOptions imageInput)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = ExportOnnx(imageInput);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Class probabilities (the members' mean) for one image given as raw pixel values.</summary>
    public float[] Predict(ReadOnlySpan<float> pixels)
    {
        var sum = new float[_first.Classes];
        foreach (var member in _members)
        {
            var p = member.Predict(pixels);
            for (int c = 0; c < sum.Length; c++) sum[c] += p[c];
        }
        for (int c = 0; c < sum.Length; c++) sum[c] /= _members.Length;
        return sum;
    }

    /// <summary>Frees every member's network (and the ONNX Runtime sessions that scored the ensemble).</summary>
    public void Dispose()
    {
        _disposed = true;
        if (_onnxRuntime is { IsValueCreated: true }) _onnxRuntime.Value.Dispose();
        foreach (var member in _members) member.Dispose();
    }

    /// <summary>Each member's network, weights and temperature (its calibration's, as it scores in process).</summary>
    private List<(Networks.NetworkDefinition, Networks.NetworkWeights, float)> Graphs() => _members.Select(m => (m.Network, m.Weights, m.Calibration.Temperature)).ToList();

    private OnnxExportOptions ExportOptions(OnnxLayout layout, string? predictedIndexName)
    {
        var options = _first.ExportOptions(layout, predictedIndexName);
        options.Metadata["network"] = string.Create(CultureInfo.InvariantCulture, $"ensemble of {_members.Length}: {string.Join(", ", _members.Select(m => m.Network.Name))}");
        options.Metadata["ensemble_members"] = _members.Length.ToString(CultureInfo.InvariantCulture);
        // The members' temperatures are inside the graph; the out-of-distribution output is not.
        options.Calibration = null;
        options.Metadata["ensemble_temperatures"] = string.Join(",", _members.Select(m => m.Calibration.Temperature.ToString("R", CultureInfo.InvariantCulture)));
        options.Metadata["ensemble_seeds"] = string.Join(",", _members.Select(m => m.Options.Seed?.ToString(CultureInfo.InvariantCulture) ?? "?"));
        return options;
    }

    int IScoringModel.InputSize => _first.InputSize;

    int IScoringModel.Classes => _first.Classes;

    int IScoringModel.OutOfDistributionSize => 0;

    DataViewSchema.Column IScoringModel.CheckFeatureColumn(DataViewSchema schema) => _first.CheckFeatureColumn(schema);

    void IScoringModel.CopyFeatures(in VBuffer<float> source, long row, Span<float> target) => _first.CopyFeatures(source, row, target);

    /// <summary>Every member scores the rows; the probabilities are averaged (no out-of-distribution output).</summary>
    void IScoringModel.Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities, Span<float> outOfDistribution)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_onnxRuntime is not null)
        {
            _onnxRuntime.Value.Score(input, rows, probabilities, []);
            return;
        }
        int n = rows * _first.Classes;
        var target = probabilities[..n];
        _first.Scorer.Score(input, rows, target);
        if (_members.Length == 1) return;
        var buffer = new float[n];
        for (int k = 1; k < _members.Length; k++)
        {
            _members[k].Scorer.Score(input, rows, buffer);
            for (int i = 0; i < n; i++) target[i] += buffer[i];
        }
        float scale = 1f / _members.Length;
        for (int i = 0; i < n; i++) target[i] *= scale;
    }
}
