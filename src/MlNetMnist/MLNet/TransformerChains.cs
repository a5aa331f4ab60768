using Microsoft.ML;

namespace MlNetMnist;

/// <summary>Looks inside fitted transformer chains.</summary>
internal static class TransformerChains
{
    /// <summary>All transformers of <paramref name="model"/>, descending into nested chains, in order.</summary>
    public static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (var part in chain)
                foreach (var inner in Flatten(part))
                    yield return inner;
        }
        else
        {
            yield return model;
        }
    }

    /// <summary>The only <see cref="TorchCnnTransformer"/> in <paramref name="model"/>, or null when there is none or more than one.</summary>
    public static TorchCnnTransformer? FindClassifier(ITransformer model)
    {
        var found = Flatten(model).OfType<TorchCnnTransformer>().Take(2).ToList();
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>The TorchSharp classifier inside <paramref name="model"/>.</summary>
    /// <exception cref="InvalidOperationException">There is none, or more than one.</exception>
    public static TorchCnnTransformer RequireClassifier(ITransformer model)
    {
        int count = Flatten(model).OfType<TorchCnnTransformer>().Count();
        return FindClassifier(model) ?? throw new InvalidOperationException(count == 0
            ? "The model has no TorchCnnTransformer."
            : $"The model has {count} TorchCnnTransformers; expected one.");
    }
}
