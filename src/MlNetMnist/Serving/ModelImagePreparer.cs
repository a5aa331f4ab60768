using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MlNetMnist.Serving;

/// <summary>
/// Prepares in-memory images with the image part of a model itself (everything after its
/// <c>LoadImages</c>: resize, extract, the ONNX centring graph), so that the service gives a decoded image
/// exactly the pixels that <c>mlContext.Model.Load</c> + an image path would give the classifier. Pooled
/// prediction engines, as for pixels: safe from several threads.
/// </summary>
internal sealed class ModelImagePreparer : IDisposable
{
    private readonly ObjectPool<PredictionEngine<ImageRow, PreparedRow>> _pool;

    private ModelImagePreparer(MLContext ml, ITransformer imageChain, string imageColumnName, string featureColumnName, int size, int maximumRetained)
    {
        var input = SchemaDefinition.Create(typeof(ImageRow));
        input[nameof(ImageRow.Image)].ColumnName = imageColumnName;
        var output = SchemaDefinition.Create(typeof(PreparedRow));
        output[nameof(PreparedRow.Features)].ColumnName = featureColumnName;
        output[nameof(PreparedRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        var options = new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = input, OutputSchemaDefinition = output };
        var policy = new EnginePolicy(ml, imageChain, options);
        _pool = new DefaultObjectPoolProvider { MaximumRetained = maximumRetained }.Create(policy);
        _pool.Return(_pool.Get());
    }

    /// <summary>
    /// A preparer over <paramref name="imagePart"/> (the image part of a model, see <see cref="Images.ImageInputSplitter"/>)
    /// when it centres digits in its ONNX graph; null otherwise (older or plain image chains: the service prepares images in C#).
    /// </summary>
    public static ModelImagePreparer? TryCreate(MLContext ml, ITransformer? imagePart, DataViewSchema inputSchema, string featureColumnName, int size, int maximumRetained)
    {
        if (imagePart is null) return null;
        var steps = TransformerChains.Flatten(imagePart).ToList();
        if (!steps.Any(t => t is Microsoft.ML.Transforms.Onnx.OnnxTransformer)) return null;
        var imageSchema = inputSchema;
        if (steps[0] is ImageLoadingTransformer loader)
        {
            imageSchema = loader.GetOutputSchema(inputSchema);
            steps.RemoveAt(0);
        }
        // The loaded (or given) image: the last image-typed column.
        string? imageColumn = imageSchema.LastOrDefault(c => c.Type is ImageDataViewType && !c.IsHidden).Name;
        if (imageColumn is null || steps.Count == 0) return null;
        return new ModelImagePreparer(ml, new TransformerChain<ITransformer>(steps.ToArray()), imageColumn, featureColumnName, size, maximumRetained);
    }

    /// <summary>The model's input pixels for <paramref name="image"/>.</summary>
    public float[] Prepare(MLImage image)
    {
        var engine = _pool.Get();
        try
        {
            return engine.Predict(new ImageRow { Image = image }).Features;
        }
        finally
        {
            _pool.Return(engine);
        }
    }

    public void Dispose() => (_pool as IDisposable)?.Dispose();

    internal sealed class ImageRow
    {
        [ImageType(1, 1)] // ML.NET 5.0.1's parameterless ImageType throws; the size is not checked against the images given
        public MLImage? Image { get; set; }
    }

    internal sealed class PreparedRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class EnginePolicy(MLContext ml, ITransformer model, PredictionEngineOptions options) : IPooledObjectPolicy<PredictionEngine<ImageRow, PreparedRow>>
    {
        private readonly Lock _lock = new();

        public PredictionEngine<ImageRow, PreparedRow> Create()
        {
            lock (_lock) return ml.Model.CreatePredictionEngine<ImageRow, PreparedRow>(model, options);
        }

        public bool Return(PredictionEngine<ImageRow, PreparedRow> engine) => true;
    }
}
