using Microsoft.ML;

namespace MlNetMnist.Cli;

/// <summary>Looks inside fitted transformer chains.</summary>
internal static class ModelChain
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

    /// <summary>The TorchSharp classifier inside <paramref name="model"/>.</summary>
    /// <exception cref="InvalidOperationException">There is none, or more than one.</exception>
    public static TorchCnnTransformer FindClassifier(ITransformer model)
    {
        var found = Flatten(model).OfType<TorchCnnTransformer>().ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new InvalidOperationException("The model has no TorchCnnTransformer to export."),
            _ => throw new InvalidOperationException($"The model has {found.Count} TorchCnnTransformers; expected one."),
        };
    }
}
