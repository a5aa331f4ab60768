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
/// <see cref="DigitImageCatalog.DigitImageInput"/>). Images are prepared the way the model itself does
/// when its saved image chain centres digits (the default chain): through that chain, so the service
/// answers exactly what <c>mlContext.Model.Load</c> and an image path answer; otherwise (pixel models,
/// plain image chains) by <see cref="DigitImagePreprocessor"/>, the same centring in C#. Either way
/// images of any size and polarity are centred like MNIST digits first (unless
/// <see cref="DigitPredictionServiceOptions.Preprocessing"/> turns centring off).</para>
/// <para>Register it in a container with
/// <see cref="DigitPredictionServiceCollectionExtensions.AddDigitPredictionService(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{DigitPredictionServiceOptions}?)"/>;
/// for several named models from configuration, reloaded when their files change, with logs, metrics
/// and a health check, use a <see cref="DigitModelPool"/>, which serves each model through this class.</para>
/// </remarks>
public sealed partial class DigitPredictionService : IDisposable
{
    private readonly ITransformer _model;
    private readonly bool _ownsModel;
    private readonly IPixelScorer _scorer;
    private readonly DigitImagePreprocessor _preprocessor;
    private readonly ModelImagePreparer? _images;
    private readonly ModelImagePixels _imagePixels;
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
        : this(ml, model, inputSchema, options, ownsModel, ModelFacts.Empty)
    {
    }

    private DigitPredictionService(MLContext ml, ITransformer model, DataViewSchema inputSchema, DigitPredictionServiceOptions? options, bool ownsModel, ModelFacts fileFacts)
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
        // Column names and shape the options leave open come from the model itself; names that are set must exist.
        var facts = ModelFacts.FromModel(model).Or(fileFacts);
        string featureName = o.FeatureColumnName ?? facts.FeatureColumnName ?? DefaultColumnNames.Features;
        string labelName = o.LabelColumnName ?? facts.LabelColumnName ?? DefaultColumnNames.Label;
        var features = pixelSchema.GetColumnOrNull(featureName)
            ?? throw new ArgumentException($"The model reads no pixel column '{featureName}' ({(o.FeatureColumnName is null ? "the model's own feature column" : "DigitPredictionServiceOptions.FeatureColumnName")}; its input has: {Describe(pixelSchema)}).", nameof(options));
        if (features.Type is not VectorDataViewType { ItemType: NumberDataViewType item, IsKnownSize: true } vector || item != NumberDataViewType.Single)
            throw new ArgumentException($"The model's column '{features.Name}' has type {features.Type}; expected a known-size vector of Single pixel values.", nameof(model));
        InputSize = vector.Size;
        // The shape the model was trained on: given, else the model's own (in-process) or its file's, else the column's.
        var shape = o.ImageShape ?? facts.Shape ?? MlNetMnist.ImageShape.Resolve(features.Name, vector);
        if (shape.Size != InputSize)
            throw new ArgumentException($"The image shape {shape} has {shape.Size} values; the model's column '{features.Name}' has {InputSize}.", nameof(options));
        InputShape = shape;
        (Width, Height) = (shape.Width, shape.Height);

        var rows = ModelInputRows.For(pixelSchema, labelName, featureName, InputSize);
        var outputSchema = pixelModel.GetOutputSchema(rows.EmptyPixels(ml).Schema);
        var score = outputSchema.GetColumnOrNull(o.ScoreColumnName)
            ?? throw new ArgumentException($"The model has no score column '{o.ScoreColumnName}'.", nameof(model));
        if (score.Type is not VectorDataViewType { IsKnownSize: true, Size: >= 2 } scoreType)
            throw new ArgumentException($"The model's score column '{score.Name}' has type {score.Type}; expected a known-size vector of class probabilities.", nameof(model));
        ClassNames = FindClassNames(outputSchema, scoreType.Size, o.ScoreColumnName, labelName);

        var preprocessing = o.Preprocessing.Clone();
        preprocessing.Width = Width;
        preprocessing.Height = Height;
        preprocessing.BoxSize = Math.Min(preprocessing.BoxSize, Math.Min(Width, Height));
        _preprocessor = new DigitImagePreprocessor(preprocessing);
        _imagePixels = new ModelImagePixels(shape, _preprocessor);
        _emptyInkThreshold = o.EmptyInkThreshold;
        _oodColumn = o.UseOutOfDistributionScore && outputSchema.GetColumnOrNull(o.OutOfDistributionColumnName) is { Type: VectorDataViewType { IsKnownSize: true, Size: >= 1, ItemType: NumberDataViewType oodItem } } ood
            && oodItem == NumberDataViewType.Single ? ood.Name : null;
        _scorer = rows.CreateScorer(ml, pixelModel, o.ScoreColumnName, _oodColumn, o.MaximumRetainedEngines);
        if (preprocessing.CentreByMass) _images = ModelImagePreparer.TryCreate(ml, imagePart, inputSchema, featureName, InputSize, o.MaximumRetainedEngines);
        _files = new ImageFileBatchScorer(ml, pixelModel, rows, o.ScoreColumnName, _oodColumn, PrepareImageFileWithInk, ink => ink < _emptyInkThreshold, ToPrediction);
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
            return new DigitPredictionService(ml, model, schema, options, ownsModel: true, ModelFacts.FromFile(modelPath));
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Creates a service that owns the model read from <paramref name="bytes"/> (a snapshot of a model file).</summary>
    /// <param name="bytes">The whole model file.</param>
    /// <param name="displayPath">The file the bytes came from, for messages.</param>
    /// <param name="options">Service options; null for the defaults.</param>
    internal static DigitPredictionService LoadSnapshot(byte[] bytes, string displayPath, DigitPredictionServiceOptions? options)
    {
        var ml = new MLContext(seed: 1);
        ml.SetOnnxThreads(options?.Threads);
        var model = ModelFile.Load(ml, bytes, displayPath, out var schema);
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

    /// <summary>The shape of the model's input images: channels (1 grayscale, 3 RGB planes) x height x width.</summary>
    public ImageShape InputShape { get; }

    /// <summary>Length of the pixel vector the model reads (channels x <see cref="Height"/> x <see cref="Width"/>).</summary>
    public int InputSize { get; }

    /// <summary>Width of the model's input image.</summary>
    public int Width { get; }

    /// <summary>Height of the model's input image.</summary>
    public int Height { get; }

    /// <summary>The confidence threshold below which a prediction needs review.</summary>
    public float ConfidenceThreshold => _threshold;

    /// <summary>The pre-processor that <c>PredictImage</c> uses for a grayscale model (its size is the model's); an RGB model's images are resized in colour instead.</summary>
    public DigitImagePreprocessor Preprocessor => _preprocessor;

    /// <summary>
    /// Predicts from the model's input pixels as they are (raw values 0-255, channel planes of row-major
    /// pixels). Pixels with less ink than <see cref="EmptyInkThreshold"/> get <see cref="DigitPrediction.Empty"/>
    /// (no label) without being scored; a prediction the model's out-of-distribution score flags needs review.
    /// </summary>
    /// <param name="pixels"><see cref="InputSize"/> values.</param>
    /// <exception cref="ArgumentException">Not <see cref="InputSize"/> values.</exception>
    public DigitPrediction Predict(ReadOnlySpan<float> pixels)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (pixels.Length != InputSize)
            throw new ArgumentException($"Expected {InputSize} pixel values ({InputShape}: channels x height x width), got {pixels.Length}.", nameof(pixels));
        var values = pixels.ToArray();
        return IsEmpty(values) ? DigitPrediction.Empty : ToPrediction(_scorer.Score(values));
    }

    /// <summary>Prepares an in-memory image (<see cref="PrepareImage(MLImage)"/>) and predicts.</summary>
    /// <param name="image">The image, of any size and polarity.</param>
    public DigitPrediction PredictImage(MLImage image) => PredictPrepared(() => InkOf(GrayImage.From(image)), () => PrepareImage(image));

    /// <summary>Decodes an encoded image (PNG, JPEG, BMP, ...), prepares it and predicts.</summary>
    /// <param name="encoded">The image file's bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not an image, or are truncated or corrupt (never partly decoded).</exception>
    public DigitPrediction PredictImage(ReadOnlySpan<byte> encoded)
    {
        byte[] bytes = encoded.ToArray();
        // Our decoder refuses a truncated or corrupt image (ML.NET's would decode part of it), whatever the model's channels.
        var gray = GrayImage.Decode(bytes);
        return PredictPrepared(() => InkOf(gray), () => PrepareImage(bytes));
    }

    /// <summary>Reads an image file, prepares it and predicts.</summary>
    /// <param name="path">The image file.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an image, or is truncated or corrupt (never partly decoded); the message names it.</exception>
    public DigitPrediction PredictImageFile(string path)
    {
        var (pixels, ink) = PrepareImageFileWithInk(path);
        return PredictPrepared(() => ink, () => pixels);
    }

    /// <summary>
    /// An image's prediction: empty when it holds too little ink, else the model's for the prepared
    /// pixels. For a grayscale model the ink is that of the image itself (<paramref name="grayInk"/>: at
    /// its own resolution, before the centring's contrast stretching, which would turn faint paper noise
    /// into ink); for a colour model, that of its colour planes as prepared (resized, not stretched).
    /// </summary>
    private DigitPrediction PredictPrepared(Func<float> grayInk, Func<float[]> prepare)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (InputShape.Channels == 1 && grayInk() < _emptyInkThreshold) return DigitPrediction.Empty;
        var pixels = prepare();
        return InputShape.Channels != 1 && IsEmpty(pixels) ? DigitPrediction.Empty : ToPrediction(_scorer.Score(pixels));
    }

    /// <summary>The prepared pixels of an image file and its ink (see <see cref="PredictPrepared"/>); a file that is not a complete image throws, naming it.</summary>
    private (float[] Pixels, float Ink) PrepareImageFileWithInk(string path)
    {
        var gray = DecodeFile(path); // refuses a truncated or corrupt file, naming it
        var pixels = PrepareImageFile(path);
        return (pixels, InputShape.Channels == 1 ? InkOf(gray) : InkMeasure.Contrast(pixels, Width, Height));
    }

    private static float InkOf(GrayImage image) => InkMeasure.Contrast(image.Values, image.Width, image.Height);

    private static GrayImage DecodeFile(string path)
    {
        byte[] bytes = DigitImages.ReadFile(path, out string full);
        try
        {
            return GrayImage.Decode(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{full}: {e.Message}", e);
        }
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
        _images?.Dispose();
        if (_ownsModel) (_model as IDisposable)?.Dispose();
    }

    /// <summary>
    /// Class names from the output schema: slot names of the score, key values of the label or of the
    /// predicted label (also when a later <c>MapKeyToValue</c> has hidden that key column), else 0..k-1.
    /// </summary>
    private static IReadOnlyList<string> FindClassNames(DataViewSchema output, int count, string scoreColumnName, string labelColumnName)
    {
        var found = MlNetMnist.ClassNames.FromSlotNames(output.GetColumnOrNull(scoreColumnName), count)
            ?? MlNetMnist.ClassNames.FromKeyValues(output.GetColumnOrNull(labelColumnName), count);
        if (found is not null) return found;
        foreach (var column in output.Reverse())
            if (column.Type is KeyDataViewType && MlNetMnist.ClassNames.FromKeyValues(column, count) is { } names)
                return names;
        return MlNetMnist.ClassNames.Numbered(count);
    }

    /// <summary>The configured column when the schema has it, else the model's own when the schema has that, else the configured one.</summary>
    private static string Describe(DataViewSchema schema) =>
        string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"));
}
