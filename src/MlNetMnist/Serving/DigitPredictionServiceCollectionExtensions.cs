using Microsoft.Extensions.DependencyInjection;

namespace MlNetMnist.Serving;

/// <summary>Registers <see cref="DigitPredictionService"/> in a <see cref="IServiceCollection"/>.</summary>
public static class DigitPredictionServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="DigitPredictionService"/> that loads <paramref name="modelPath"/> on
    /// first use. The container disposes it (and the model it owns) when it is disposed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="modelPath">The <c>model.zip</c> to serve.</param>
    /// <param name="configure">Changes the default options (threshold, top count, pool size, pre-processing).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddDigitPredictionService(this IServiceCollection services, string modelPath, Action<DigitPredictionServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        var options = new DigitPredictionServiceOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(_ => DigitPredictionService.Load(modelPath, options));
        return services;
    }

    /// <summary>
    /// Adds a singleton <see cref="DigitPredictionService"/> made by <paramref name="factory"/> (for a
    /// model fitted or loaded by the application). The container disposes it when it is disposed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="factory">Creates the service from the container.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddDigitPredictionService(this IServiceCollection services, Func<IServiceProvider, DigitPredictionService> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(factory);
        return services;
    }
}
