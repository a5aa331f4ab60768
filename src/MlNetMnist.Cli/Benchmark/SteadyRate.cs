using System.Diagnostics;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// A throughput taken in the steady state: passes over the same rows are repeated for at least
/// <see cref="WarmUp"/> (and at least <see cref="WarmUpPasses"/> passes), so that .NET's tiered JIT has
/// promoted the hot methods and ONNX Runtime and LibTorch have their buffers, then the median of
/// <see cref="MeasuredPasses"/> timed passes is taken. (A single warm second pass moved by up to 1.6x
/// between passes on a model loaded from model.zip, whose row-by-row path is still being recompiled.)
/// </summary>
internal static class SteadyRate
{
    /// <summary>Least time spent on warm-up passes.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>Least number of warm-up passes.</summary>
    public const int WarmUpPasses = 2;

    /// <summary>Timed passes; the rate is their median.</summary>
    public const int MeasuredPasses = 3;

    /// <summary>Rows per second of <paramref name="pass"/>, which processes <paramref name="rows"/> rows each time.</summary>
    public static double Of(long rows, Action pass)
    {
        ArgumentNullException.ThrowIfNull(pass);
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < WarmUpPasses || warm.Elapsed < WarmUp; i++) pass();
        var rates = new double[MeasuredPasses];
        for (int i = 0; i < MeasuredPasses; i++)
        {
            long start = Stopwatch.GetTimestamp();
            pass();
            rates[i] = rows / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return Stats.Median(rates);
    }

    /// <summary>What the figures mean, for the benchmark's notes.</summary>
    public static string Description =>
        $"every rate is the median of {MeasuredPasses} passes after at least {WarmUp.TotalSeconds:0.#} s and {WarmUpPasses} passes of warm-up";
}
