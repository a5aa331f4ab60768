using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Onnx;

namespace MlNetMnist;

/// <summary>
/// ONNX Runtime's thread count for the ONNX models an <see cref="MLContext"/> runs: in particular a
/// model loaded back from <c>model.zip</c>, which scores through ML.NET's <c>OnnxTransformer</c>. The
/// count cannot travel inside <c>model.zip</c> (ML.NET 5.0.1 saves only the graph and column names),
/// so it is a setting of the context that loads the model: ML.NET reads the context's
/// <see cref="OnnxSessionOptions"/> whenever it creates an ONNX Runtime session, including on
/// <c>mlContext.Model.Load</c>.
/// </summary>
public static class OnnxRuntimeThreads
{
    /// <summary>
    /// Sets the number of threads ONNX Runtime uses inside each operator for every ONNX session this
    /// context creates from now on (models loaded or fitted afterwards). Null restores ONNX Runtime's
    /// default, one thread per physical core. Other ONNX session options already set on the context
    /// are kept. (<c>TorchCnnOptions.Threads</c> is TorchSharp's count.)
    /// </summary>
    /// <param name="ml">The context that will load or create the ONNX models.</param>
    /// <param name="threads">Threads (at least 1), or null for all physical cores.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void SetOnnxThreads(this MLContext ml, int? threads)
    {
        ArgumentNullException.ThrowIfNull(ml);
        Set(ml, threads);
    }

    /// <summary>The thread count set by <see cref="SetOnnxThreads"/>, or null when ONNX Runtime picks (all physical cores).</summary>
    /// <param name="ml">The context.</param>
    public static int? GetOnnxThreads(this MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        int threads = ((IHostEnvironment)ml).GetOnnxSessionOption()?.IntraOpNumThreads ?? 0;
        return threads > 0 ? threads : null;
    }

    internal static void Set(IHostEnvironment environment, int? threads)
    {
        if (threads is < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "ONNX Runtime threads must be at least 1 (or null for all physical cores).");
        var options = environment.GetOnnxSessionOption() ?? new OnnxSessionOptions();
        options.IntraOpNumThreads = threads ?? 0;
        environment.SetOnnxSessionOption(options);
    }
}
