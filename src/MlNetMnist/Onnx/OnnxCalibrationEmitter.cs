using MlNetMnist.Calibration;
using MlNetMnist.Networks;

namespace MlNetMnist.Onnx;

/// <summary>
/// Emits the end of the graph that comes after the network's logits (opset 17): temperature scaling
/// (<c>Div</c> before the softmax) and the out-of-distribution score of <see cref="OutOfDistributionStatistics"/>
/// with its calibrated thresholds (<see cref="OutOfDistributionCalibration"/>). Kept apart from the
/// layer emitter and from anything in front of the network.
/// </summary>
internal static class OnnxCalibrationEmitter
{
    /// <summary>The logits divided by the temperature (the logits themselves when it is 1).</summary>
    public static string Temperature(OnnxGraphBuilder graph, string logits, float temperature)
    {
        if (temperature == 1f) return logits;
        string t = graph.AddInitializer("calibration.temperature", n => OnnxTensor.Float(n, [], [temperature]));
        return graph.AddNode("Div", "calibration.temperature_scaling", [logits, t]);
    }

    /// <summary>
    /// Adds the <c>[N, 1 + K]</c> score: slot 0 the largest normalised statistic, then the K normalised
    /// statistics. <paramref name="pixels"/> is the <c>[N, D]</c> input after the network's polarity step.
    /// </summary>
    /// <remarks>
    /// Built from few nodes on purpose: a model loaded from model.zip runs this graph one row at a time,
    /// where ONNX Runtime's cost is per node, not per value (measured: the first version, 49 nodes of
    /// one small operation each, took more time per row than the network). Every sum over the pixels
    /// (border, ink mass, position moments, the two ink-level counts) comes from one <c>MatMul</c>; the
    /// ratios from one <c>Div</c>; the variances and logarithms from one <c>Gemm</c>, <c>Max</c> and
    /// <c>Log</c>; and every statistic's centring and scaling, with the signs of energy and doubt, from
    /// one <c>Gemm</c>, so that <c>(g - t) / s</c> becomes <c>max(e, c e) - t / s</c> with
    /// <c>e = (raw - centre) / s</c> and <c>c = -1</c> for a two-sided statistic (its absolute value), 1 otherwise.
    /// The managed <see cref="OutOfDistributionStatistics"/> and <see cref="OutOfDistributionCalibration.Score"/>
    /// compute the same values in their plain form.
    /// </remarks>
    /// <param name="graph">The graph being built.</param>
    /// <param name="definition">The network.</param>
    /// <param name="pixels">The <c>[N, D]</c> input after the network's polarity step.</param>
    /// <param name="logits">The <c>[N, classes]</c> logits.</param>
    /// <param name="probabilities">The <c>[N, classes]</c> temperature-scaled probabilities.</param>
    /// <param name="calibration">The thresholds.</param>
    /// <param name="output">The name of the output value, or null for a new one.</param>
    public static string OutOfDistribution(OnnxGraphBuilder graph, NetworkDefinition definition, string pixels, string logits, string probabilities,
        OutOfDistributionCalibration calibration, string? output)
    {
        calibration.Validate();
        var layout = OutOfDistributionStatistics.Layout.For(definition);
        int d = definition.InputSize;
        const string P = "ood";
        string Constant(string name, long[] dims, float[] values) => graph.AddInitializer($"{P}.{name}", n => OnnxTensor.Float(n, dims, values));
        string Scalar(string name, float value) => Constant(name, [], [value]);
        string Node(string op, string name, IReadOnlyList<string> inputs, IReadOnlyList<OnnxAttribute>? attributes = null) =>
            graph.AddNode(op, $"{P}.{name}", inputs, attributes);
        var lastAxis = new[] { OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1) };
        var concat = new[] { OnnxAttribute.Int("axis", 1) };

        // T = [pixels, inked, not full] x M: border mean / 255, mass, sum x, sum y, sum xx, sum yy, inked count, not-full count.
        string inked = Node("Greater", "inked", [pixels, Scalar("ink_level", OutOfDistributionStatistics.InkLevel)]);
        string notFull = Node("Less", "not_full", [pixels, Scalar("full_ink_level", OutOfDistributionStatistics.FullInkLevel)]);
        string masks = Node("Cast", "masks", [Node("Concat", "mask_pair", [inked, notFull], concat)], [OnnxAttribute.Int("to", 1)]);
        string stacked = Node("Concat", "stacked", [pixels, masks], concat);
        const int sums = 8;
        var m = new float[3 * d * sums];
        void Set(int row, int column, float value) => m[row * sums + column] += value;
        foreach (long i in layout.Border) Set((int)i, 0, 1f / (layout.Border.Length * 255f));
        for (int i = 0; i < d; i++)
        {
            float x = layout.X[i], y = layout.Y[i];
            Set(i, 1, 1f);
            Set(i, 2, x);
            Set(i, 3, y);
            Set(i, 4, x * x);
            Set(i, 5, y * y);
            Set(d + i, 6, 1f);
            Set(2 * d + i, 7, 1f);
        }
        string t = Node("MatMul", "sums", [stacked, Constant("sum_weights", [3 * d, sums], m)]);

        // Q = A / max(B, floor) = [mean x, mean y, mean xx, mean yy, midtones, mass / 255 + 1, border]:
        // midtones = (inked + not full - D) / max(1, inked), the count of 40 < v < 215 over the inked count.
        const int q = 7;
        string Gemm(string name, string input, int rows, int columns, Action<float[]> weights, float[] bias)
        {
            var w = new float[rows * columns];
            weights(w);
            return Node("Gemm", name, [input, Constant(name + "_weights", [rows, columns], w), Constant(name + "_bias", [columns], bias)]);
        }
        string numerators = Gemm("numerators", t, sums, q, w =>
        {
            for (int k = 0; k < 4; k++) w[(2 + k) * q + k] = 1f;
            w[6 * q + 4] = 1f;
            w[7 * q + 4] = 1f;
            w[1 * q + 5] = 1f / 255f;
            w[0 * q + 6] = 1f;
        }, [0, 0, 0, 0, -d, 1, 0]);
        string denominators = Gemm("denominators", t, sums, q, w =>
        {
            for (int k = 0; k < 4; k++) w[1 * q + k] = 1f;
            w[6 * q + 4] = 1f;
        }, [OutOfDistributionStatistics.Epsilon, OutOfDistributionStatistics.Epsilon, OutOfDistributionStatistics.Epsilon, OutOfDistributionStatistics.Epsilon, 0, 1, 1]);
        string floor = Constant("denominator_floor", [q], [float.MinValue, float.MinValue, float.MinValue, float.MinValue, 1, 1, 1]);
        string ratios = Node("Div", "ratios", [numerators, Node("Max", "denominators_floored", [denominators, floor])]);

        // L = log([max(mean xx - mean x^2, 0) + 1, max(mean yy - mean y^2, 0) + 1, mass / 255 + 1]).
        string withSquares = Node("Concat", "ratios_and_squares", [ratios, Node("Mul", "squares", [ratios, ratios])], concat);
        string logArguments = Gemm("log_arguments", withSquares, 2 * q, 3, w =>
        {
            w[2 * 3 + 0] = 1f;
            w[(q + 0) * 3 + 0] = -1f;
            w[3 * 3 + 1] = 1f;
            w[(q + 1) * 3 + 1] = -1f;
            w[5 * 3 + 2] = 1f;
        }, [1, 1, 0]);
        string logs = Node("Log", "logs", [Node("Max", "log_arguments_floored", [logArguments, Constant("log_floor", [3], [1, 1, float.MinValue])])]);

        // F = [logsumexp(logits), top probability, Q, L]; E = (raw - centre) / scale of each statistic:
        // energy = -logsumexp, border = Q6, midtones = Q4, spread = L0 - L1, mass = L2, doubt = 1 - top.
        string lse = Node("ReduceLogSumExp", "logsumexp", [logits], lastAxis);
        string top = Node("ReduceMax", "top_probability", [probabilities], lastAxis);
        string features = Node("Concat", "features", [lse, top, ratios, logs], concat);
        int k = OutOfDistributionStatistics.Count, f = 2 + q + 3;
        var centers = calibration.Centers;
        var scales = calibration.Scales;
        var bias = Enumerable.Range(0, k).Select(s => ((s == 5 ? 1f : 0f) - centers[s]) / scales[s]).ToArray();
        string scaled = Gemm("scaled_deviations", features, f, k, w =>
        {
            void Weight(int feature, int statistic, float sign) => w[feature * k + statistic] = sign / scales[statistic];
            Weight(0, 0, -1f);
            Weight(2 + 6, 1, 1f);
            Weight(2 + 4, 2, 1f);
            Weight(2 + q + 0, 3, 1f);
            Weight(2 + q + 1, 3, -1f);
            Weight(2 + q + 2, 4, 1f);
            Weight(1, 5, -1f);
        }, bias);

        // normalised = max(e, c e) - threshold / scale; score = max(normalised).
        string mirrored = Node("Mul", "mirrored", [scaled, Constant("sides", [k], OutOfDistributionStatistics.TwoSided.Select(b => b ? -1f : 1f).ToArray())]);
        string normalised = Node("Sub", "normalised", [Node("Max", "deviations", [scaled, mirrored]),
            Constant("scaled_thresholds", [k], Enumerable.Range(0, k).Select(s => calibration.Thresholds[s] / scales[s]).ToArray())]);
        string score = Node("ReduceMax", "score", [normalised], lastAxis);
        return graph.AddNode("Concat", $"{P}.output", [score, normalised], concat, output);
    }
}
