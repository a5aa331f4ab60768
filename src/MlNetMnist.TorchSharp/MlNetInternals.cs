using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlNetMnist;

/// <summary>
/// The two things an outside trainer needs from ML.NET 5.0.1 that it does not expose publicly: the
/// environment behind a catalog (the caller's <see cref="MLContext"/>: its log, its seed) and a
/// <see cref="TrainerInfo"/> (whose constructor is internal). Both are read by reflection, checked
/// here once, and fail with a message that names the ML.NET member when a future version moves it.
/// </summary>
internal static class MlNetInternals
{
    /// <summary>
    /// The environment a catalog was created with: the one <see cref="MLContext"/> forwards to its
    /// <see cref="MLContext.Log"/> event and whose random generator follows the context's seed.
    /// </summary>
    public static IHostEnvironment EnvironmentOf(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        // TrainCatalogBase.CatalogInstantiatorBase implements the internal IInternalCatalog { IHostEnvironment Environment }.
        var property = catalog.GetType().GetInterfaces()
            .FirstOrDefault(i => i.Name == "IInternalCatalog")?
            .GetProperty("Environment", BindingFlags.Public | BindingFlags.Instance);
        return property?.GetValue(catalog) as IHostEnvironment
            ?? throw new NotSupportedException(
                $"Cannot find the MLContext behind {catalog.GetType().FullName} (IInternalCatalog.Environment in ML.NET 5.0.1); " +
                "create the trainer with new TorchCnnTrainer(mlContext, options) instead.");
    }

    /// <summary>A <see cref="TrainerInfo"/> through its internal constructor.</summary>
    public static TrainerInfo CreateTrainerInfo(bool normalization, bool caching, bool supportsValidation)
    {
        var constructor = typeof(TrainerInfo).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null,
            [typeof(bool), typeof(bool), typeof(bool), typeof(bool), typeof(bool), typeof(bool)], null)
            ?? throw new NotSupportedException("TrainerInfo(bool normalization, bool calibration, bool caching, bool supportValid, bool supportIncrementalTrain, bool supportTest) is not in this ML.NET version.");
        return (TrainerInfo)constructor.Invoke([normalization, false, caching, supportsValidation, false, false]);
    }
}
