using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Images;
using MlNetMnist.Reports;

namespace MlNetMnist.Serving;

/// <summary>
/// Thread-safe predictions from one shared model: pixel vectors or images in, the predicted class, its
/// probability, the top classes and a "needs review" flag below the confidence threshold out.
/// </summary>
/// <remarks>
/// <para>Requests borrow a <see cref="PredictionEngine{TSrc, TDst}"/> from a pool (created with
/// <c>OwnsTransformer = false</c>, so an engine the pool disposes never disposes the shared model).
/// The model may be a <c>model.zip</c> loaded with ML.NET alone or a pipeline fitted in-process, with
/// pixel input (<c>Features</c>) or image input (a chain from
/// <see cref="DigitImageCatalog.DigitImageInput"/>): the image part is set aside and the service scores
/// the pixels its own <see cref="DigitImagePreprocessor"/> makes from images, so images of any size and
/// polarity are centred like MNIST digits first.</para>
/// <para>Register it in a container with
/// <see cref="DigitPredictionServiceCollectionExtensions.AddDigitPredictionService(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{DigitPredictionServiceOptions}?)"/>.</para>
/// </remarks>
public sealed class DigitPredictionService : IDisposable
{
    private readonly ITransformer _model;
    private readonly bool _ownsModel;
    private readonly IPixelScorer _scorer;
    private readonly DigitImagePreprocessor _preprocessor;
    private readonly ImageFileBatchScorer _files;
    private readonly float _threshold;
    private readonly float _emptyInkThreshold;
    private readonly string? _oodColumn;
    private readonly int _topCount;
    private int _disposed;

    /// <summary>Creates the service over a fitted or loaded model.</summary>
    /// <param name="ml">The ML.NET context the model belongs to.</param>
    /// <param name="model">The model: pixel vectors (or image paths or images) in, class probabilities out.</param>
    /// <param name="inputSchema">The model's input schema (as returned by <c>mlContext.Model.Load</c>, or the training data's).</param>
    /// <param name="options">Threshold, top count, pool size, column names and pre-processing; null for the defaults.</param>
    /// <param name="ownsModel">True to dispose <paramref name="model"/> with the service.</param>
    /// <exception cref="ArgumentException">The model has no pixel-vector column or no score column of the expected names.</exception>
    public DigitPredictionService(MLContext ml, ITransformer model, DataViewSchema inputSchema, DigitPredictionServiceOptions? options = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = options ?? new DigitPredictionServiceOptions();
        o.Validate();
        _threshold = o.ConfidenceThreshold;
        _topCount = o.TopCount;
        _model = model;
        _ownsModel = ownsModel;

        var (imagePart, pixelModel) = ImageInputSplitter.Split(model);
        var pixelSchema = imagePart?.GetOutputSchema(inputSchema) ?? inputSchema;
        var features = pixelSchema.GetColumnOrNull(o.FeatureColumnName)
            ?? throw new ArgumentException($"The model reads no pixel column '{o.FeatureColumnName}' (its input has: {Describe(pixelSchema)}).", nameof(model));
        if (features.Type is not VectorDataViewType { ItemType: NumberDataViewType item, IsKnownSize: true } vector || item != NumberDataViewType.Single)
            throw new ArgumentException($"The model's column '{features.Name}' has type {features.Type}; expected a known-size vector of Single pixel values.", nameof(model));
        InputSize = vector.Size;
        var shape = MlNetMnist.ImageShape.Resolve(features.Name, vector);
        (Width, Height) = (shape.Width, shape.Height);

        var rows = ModelInputRows.For(pixelSchema, o.LabelColumnName, o.FeatureColumnName, InputSize);
        var outputSchema = pixelModel.GetOutputSchema(rows.EmptyPixels(ml).Schema);
        var score = outputSchema.GetColumnOrNull(o.ScoreColumnName)
            ?? throw new ArgumentException($"The model has no score column '{o.ScoreColumnName}'.", nameof(model));
        if (score.Type is not VectorDataViewType { IsKnownSize: true, Size: >= 2 } scoreType)
            throw new ArgumentException($"The model's score column '{score.Name}' has type {score.Type}; expected a known-size vector of class probabilities.", nameof(model));
        ClassNames = FindClassNames(outputSchema, scoreType.Size, o);

        var preprocessing = o.Preprocessing.Clone();
        preprocessing.Width = Width;
        preprocessing.Height = Height;
        preprocessing.BoxSize = Math.Min(preprocessing.BoxSize, Math.Min(Width, Height));
        _preprocessor = new DigitImagePreprocessor(preprocessing);
        _emptyInkThreshold = o.EmptyInkThreshold;
        _oodColumn = o.UseOutOfDistributionScore && outputSchema.GetColumnOrNull(o.OutOfDistributionColumnName) is { Type: VectorDataViewType { IsKnownSize: true, Size: >= 1, ItemType: NumberDataViewType oodItem } } ood
            && oodItem == NumberDataViewType.Single ? ood.Name : null;
        _scorer = rows.CreateScorer(ml, pixelModel, o.ScoreColumnName, _oodColumn, o.MaximumRetainedEngines);
        _files = new ImageFileBatchScorer(ml, pixelModel, rows, o.ScoreColumnName, _oodColumn, _preprocessor.ProcessFileWithInk, ink => ink < _emptyInkThreshold, ToPrediction);
    }

    /// <summary>
    /// True when the model outputs an out-of-distribution score (a calibrated TorchCnn model; see the
    /// README) and the service uses it: predictions it flags need review.
    /// </summary>
    public bool HasOutOfDistributionScore => _oodColumn is not null;

    /// <summary>The ink (<see cref="InkMeasure"/>) below which the model's input is empty.</summary>
    public float EmptyInkThreshold => _emptyInkThreshold;

    /// <summary>True when <paramref name="pixels"/> (the model's input) hold less ink than <see cref="EmptyInkThreshold"/>.</summary>
    private bool IsEmpty(float[] pixels) => InkMeasure.Contrast(pixels, Width, Height) < _emptyInkThreshold;

    private DigitPrediction ToPrediction(ScoreRow row) =>
        ToPrediction(row.Score).WithOutOfDistributionScore(row.OutOfDistributionScore.Length > 0 ? row.OutOfDistributionScore[0] : null);

    /// <summary>
    /// Loads <c>model.zip</c> (with ML.NET alone: the saved model needs neither TorchSharp nor this
    /// library to score) and creates a service that owns it.
    /// </summary>
    /// <param name="modelPath">The model file.</param>
    /// <param name="options">Service options; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an ML.NET model.</exception>
    public static DigitPredictionService Load(string modelPath, DigitPredictionServiceOptions? options = null)
    {
        var ml = new MLContext(seed: 1);
        ml.SetOnnxThreads(options?.Threads);
        var model = ModelFile.Load(ml, modelPath, out var schema);
        try
        {
            return new DigitPredictionService(ml, model, schema, options, ownsModel: true);
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The class names in the order of the model's scores.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Length of the pixel vector the model reads (<see cref="Width"/> x <see cref="Height"/>).</summary>
    public int InputSize { get; }

    /// <summary>Width of the model's input image.</summary>
    public int Width { get; }

    /// <summary>Height of the model's input image.</summary>
    public int Height { get; }

    /// <summary>The confidence threshold below which a prediction needs review.</summary>
    public float ConfidenceThreshold => _threshold;

    /// <summary>The pre-processor that <c>PredictImage</c> uses (its size is the model's).</summary>
    public DigitImagePreprocessor Preprocessor => _preprocessor;

    /// <summary>
    /// Predicts from the model's input pixels as they are (raw values 0-255, row-major). Pixels with less
    /// ink than <see cref="EmptyInkThreshold"/> get <see cref="DigitPrediction.Empty"/> (no label) without
    /// being scored; a prediction the model's out-of-distribution score flags needs review.
    /// </summary>
    /// <param name="pixels"><see cref="InputSize"/> values.</param>
    /// <exception cref="ArgumentException">Not <see cref="InputSize"/> values.</exception>
    public DigitPrediction Predict(ReadOnlySpan<float> pixels)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (pixels.Length != InputSize)
            throw new ArgumentException($"Expected {InputSize} pixel values ({Width}x{Height}), got {pixels.Length}.", nameof(pixels));
        var values = pixels.ToArray();
        return IsEmpty(values) ? DigitPrediction.Empty : ToPrediction(_scorer.Score(values));
    }

    /// <summary>Pre-processes an in-memory image (<see cref="Preprocessor"/>) and predicts.</summary>
    /// <param name="image">The image, of any size and polarity.</param>
    public DigitPrediction PredictImage(MLImage image) => PredictPrepared(_preprocessor.ProcessWithInk(image));

    /// <summary>Decodes an encoded image (PNG, JPEG, BMP, ...), pre-processes it and predicts.</summary>
    /// <param name="encoded">The image file's bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not an image, or are truncated or corrupt (never partly decoded).</exception>
    public DigitPrediction PredictImage(ReadOnlySpan<byte> encoded) => PredictPrepared(_preprocessor.ProcessWithInk(encoded));

    /// <summary>Reads an image file, pre-processes it and predicts.</summary>
    /// <param name="path">The image file.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an image, or is truncated or corrupt (never partly decoded); the message names it.</exception>
    public DigitPrediction PredictImageFile(string path) => PredictPrepared(_preprocessor.ProcessFileWithInk(path));

    /// <summary>An image's prediction: empty when the image (before contrast stretching) holds too little ink, else the model's.</summary>
    private DigitPrediction PredictPrepared((float[] Pixels, float Ink) prepared)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return prepared.Ink < _emptyInkThreshold ? DigitPrediction.Empty : Predict(prepared.Pixels);
    }

    /// <summary>
    /// Predicts image files, and the image files found in folders (recursively, by extension), in
    /// batches of <paramref name="batchSize"/>: the batch path of the command line's <c>predict</c>. A
    /// path that does not exist or a file that cannot be read gets an error naming it; the others are
    /// still predicted. Results come in input order (folders expanded in ordinal order).
    /// </summary>
    /// <param name="filesOrFolders">Image files or folders.</param>
    /// <param name="batchSize">Images scored per <c>Transform</c>. Default 512.</param>
    public IEnumerable<ImageFilePrediction> PredictImageFiles(IEnumerable<string> filesOrFolders, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(filesOrFolders);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (var chunk in ImageFiles.Expand(filesOrFolders).Chunk(batchSize))
            foreach (var result in _files.Score(chunk))
                yield return result;
    }

    /// <summary>The prediction for a score vector of this model (for scores computed in a batch <c>Transform</c>).</summary>
    /// <param name="scores">Class probabilities in the model's order.</param>
    public DigitPrediction ToPrediction(ReadOnlySpan<float> scores) =>
        DigitPrediction.FromScores(scores, ClassNames, _threshold, Math.Min(_topCount, ClassNames.Count));

    /// <summary>Disposes the engine pool and, when the service owns it, the model.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _scorer.Dispose();
        if (_ownsModel) (_model as IDisposable)?.Dispose();
    }

    /// <summary>
    /// Class names from the output schema: slot names of the score, key values of the label or of the
    /// predicted label (also when a later <c>MapKeyToValue</c> has hidden that key column), else 0..k-1.
    /// </summary>
    private static IReadOnlyList<string> FindClassNames(DataViewSchema output, int count, DigitPredictionServiceOptions o)
    {
        var found = MlNetMnist.ClassNames.FromSlotNames(output.GetColumnOrNull(o.ScoreColumnName), count)
            ?? MlNetMnist.ClassNames.FromKeyValues(output.GetColumnOrNull(o.LabelColumnName), count);
        if (found is not null) return found;
        foreach (var column in output.Reverse())
            if (column.Type is KeyDataViewType && MlNetMnist.ClassNames.FromKeyValues(column, count) is { } names)
                return names;
        return MlNetMnist.ClassNames.Numbered(count);
    }

    private static string Describe(DataViewSchema schema) =>
        string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"));
}
