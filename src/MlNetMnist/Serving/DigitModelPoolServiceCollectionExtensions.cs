using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlNetMnist.Serving;

/// <summary>Registers a <see cref="DigitModelPool"/> (named models, reloaded when their files change) in a <see cref="IServiceCollection"/>.</summary>
public static class DigitModelPoolServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="DigitModelPool"/> whose <see cref="DigitModelPoolOptions"/> are bound
    /// from <paramref name="configuration"/> (usually <c>builder.Configuration.GetSection("DigitModels")</c>)
    /// and validated when the host starts; in a host, every model is also loaded at start-up, so a
    /// missing or bad model file stops the application before it takes traffic.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section with <c>DefaultModel</c> and <c>Models</c>.</param>
    /// <returns>The options builder, to add code-based configuration or validation.</returns>
    public static OptionsBuilder<DigitModelPoolOptions> AddDigitModelPool(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddDigitModelPool().Bind(configuration);
    }

    /// <summary>
    /// Adds a singleton <see cref="DigitModelPool"/> configured in code (options validated when the host
    /// starts; every model loaded at start-up in a host).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds the models, e.g. <c>o.Models["digits"] = new DigitModelOptions { ModelPath = "model.zip" }</c>.</param>
    /// <returns>The options builder.</returns>
    public static OptionsBuilder<DigitModelPoolOptions> AddDigitModelPool(this IServiceCollection services, Action<DigitModelPoolOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddDigitModelPool().Configure(configure);
    }

    private static OptionsBuilder<DigitModelPoolOptions> AddDigitModelPool(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DigitModelPoolOptions>, DigitModelPoolOptionsValidator>());
        services.TryAddSingleton(sp => new DigitModelPool(
            sp.GetRequiredService<IOptions<DigitModelPoolOptions>>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DigitModelPoolWarmup>());
        return services.AddOptions<DigitModelPoolOptions>().ValidateOnStart();
    }
}
