using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// Mean and standard deviation (of values divided by 255) of raw pixel rows as an
/// <see cref="AutoInvertSpec"/> layer passes them on: rows with a light border count inverted. Used to
/// choose the input normalisation of a network that starts with that layer.
/// </summary>
internal static class AutoInvertStatistics
{
    private const int ChunkRows = 4096;

    /// <summary>Statistics of <paramref name="features"/> (<c>[N, D]</c>, float32) after the polarity decision of <paramref name="spec"/>.</summary>
    public static (float Mean, float Std) Compute(Tensor features, AutoInvertSpec spec)
    {
        using var scope = NewDisposeScope();
        long rows = features.shape[0], width = features.shape[1];
        var border = tensor(spec.BorderIndices()).to(features.device);
        double max = spec.MaxValue;
        // Scalars live for the whole loop: a Scalar made on the fly can be finalized during the native call.
        using var threshold = ((double)spec.Threshold).ToScalar();
        using var twiceMax = (2 * max).ToScalar();
        using var sumOffset = (max * width).ToScalar();
        using var squareOffset = (max * max * width).ToScalar();
        double sum = 0, squares = 0;
        for (long start = 0; start < rows; start += ChunkRows)
        {
            using var inner = NewDisposeScope();
            var chunk = features.slice(0, start, Math.Min(rows, start + ChunkRows), 1).to(float64);
            var rowSums = chunk.sum(1);
            var rowSquares = chunk.mul(chunk).sum(1);
            var light = chunk.index_select(1, border).mean(new long[] { 1 }).gt(threshold);
            // An inverted row has sum(max - x) = max*D - s1 and sum((max - x)^2) = max^2*D - 2*max*s1 + s2.
            var invSums = rowSums.neg().add(sumOffset);
            var invSquares = rowSquares.sub(rowSums.mul(twiceMax)).add(squareOffset);
            sum += where(light, invSums, rowSums).sum().ToDouble();
            squares += where(light, invSquares, rowSquares).sum().ToDouble();
        }
        double n = (double)rows * width;
        double mean = sum / n;
        double variance = n > 1 ? Math.Max(0, (squares - n * mean * mean) / (n - 1)) : 0;
        return ((float)(mean / 255.0), (float)(Math.Sqrt(variance) / 255.0));
    }
}
