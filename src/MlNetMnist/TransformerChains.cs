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

    /// <summary>The only <typeparamref name="T"/> in <paramref name="model"/>, or null when there is none or more than one.</summary>
    public static T? FindOnly<T>(ITransformer model) where T : class, ITransformer
    {
        var found = Flatten(model).OfType<T>().Take(2).ToList();
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>The only <typeparamref name="T"/> inside <paramref name="model"/>.</summary>
    /// <exception cref="InvalidOperationException">There is none, or more than one.</exception>
    public static T RequireOnly<T>(ITransformer model) where T : class, ITransformer
    {
        int count = Flatten(model).OfType<T>().Count();
        return FindOnly<T>(model) ?? throw new InvalidOperationException(count == 0
            ? $"The model has no {typeof(T).Name}."
            : $"The model has {count} {typeof(T).Name}s; expected one.");
    }

    /// <summary>The only image classifier in <paramref name="model"/> that describes itself, or null.</summary>
    public static IImageClassifierModel? FindClassifier(ITransformer model) => FindOnly<IImageClassifierModel>(model);
}
