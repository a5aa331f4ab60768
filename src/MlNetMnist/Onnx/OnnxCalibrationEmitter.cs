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
        string Scalar(string name, float value) => graph.AddInitializer($"{P}.{name}", n => OnnxTensor.Float(n, [], [value]));
        string Column(string name, float[] values) => graph.AddInitializer($"{P}.{name}", n => OnnxTensor.Float(n, [d, 1], values));
        string Node(string op, string name, IReadOnlyList<string> inputs, IReadOnlyList<OnnxAttribute>? attributes = null) =>
            graph.AddNode(op, $"{P}.{name}", inputs, attributes);

        // energy = -logsumexp(logits)
        string lse = Node("ReduceLogSumExp", "logsumexp", [logits], [OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1)]);
        string energy = Node("Neg", "energy", [lse]);

        // border = mean of the ring / 255
        long[] ring = layout.Border;
        string ringIndices = graph.AddInitializer($"{P}.border_indices", n => OnnxTensor.Int64(n, [ring.Length], ring));
        string ringPixels = Node("Gather", "border_pixels", [pixels, ringIndices], [OnnxAttribute.Int("axis", 1)]);
        string ringMean = Node("ReduceMean", "border_mean", [ringPixels], [OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1)]);
        string border = Node("Div", "border", [ringMean, Scalar("full", 255f)]);

        // midtones = count(40 < v < 215) / max(1, count(v > 40)); sums as MatMul with a column of ones
        string ones = Column("ones", Enumerable.Repeat(1f, d).ToArray());
        string inked = Node("Greater", "inked", [pixels, Scalar("ink_level", OutOfDistributionStatistics.InkLevel)]);
        string notFull = Node("Less", "not_full", [pixels, Scalar("full_ink_level", OutOfDistributionStatistics.FullInkLevel)]);
        string midMask = Node("And", "mid_mask", [inked, notFull]);
        string inkedCount = Node("MatMul", "inked_count", [Node("Cast", "inked_float", [inked], [OnnxAttribute.Int("to", 1)]), ones]);
        string midCount = Node("MatMul", "mid_count", [Node("Cast", "mid_float", [midMask], [OnnxAttribute.Int("to", 1)]), ones]);
        string midtones = Node("Div", "midtones", [midCount, Node("Max", "inked_at_least_one", [inkedCount, Scalar("one", 1f)])]);

        // moments of the ink's position
        string mass = Node("MatMul", "mass", [pixels, ones]);
        string safeMass = Node("Add", "mass_safe", [mass, Scalar("epsilon", OutOfDistributionStatistics.Epsilon)]);
        string Moment(string name, Func<int, float> coordinate) =>
            Node("Div", name, [Node("MatMul", name + "_sum", [pixels, Column(name + "_coordinates", Enumerable.Range(0, d).Select(coordinate).ToArray())]), safeMass]);
        string mx = Moment("mean_x", i => layout.X[i]);
        string my = Moment("mean_y", i => layout.Y[i]);
        string mxx = Moment("mean_xx", i => layout.X[i] * layout.X[i]);
        string myy = Moment("mean_yy", i => layout.Y[i] * layout.Y[i]);
        string Variance(string name, string meanSquare, string mean) =>
            Node("Add", name + "_plus_one", [Node("Max", name, [Node("Sub", name + "_raw", [meanSquare, Node("Mul", name + "_mean_squared", [mean, mean])]), Scalar(name + "_zero", 0f)]), Scalar(name + "_one", 1f)]);
        string spread = Node("Log", "spread", [Node("Div", "spread_ratio", [Variance("var_x", mxx, mx), Variance("var_y", myy, my)])]);
        string massLog = Node("Log", "mass_log", [Node("Add", "mass_plus_one", [Node("Div", "mass_pixels", [mass, Scalar("mass_full", 255f)]), Scalar("mass_one", 1f)])]);

        // doubt = 1 - max probability
        string top = Node("ReduceMax", "top_probability", [probabilities], [OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1)]);
        string doubt = Node("Sub", "doubt", [Scalar("doubt_one", 1f), top]);

        // normalise: g = twoSided ? |raw - c| : raw - c; n = (g - t) / s; score = max(n)
        int k = OutOfDistributionStatistics.Count;
        string raw = Node("Concat", "raw", [energy, border, midtones, spread, massLog, doubt], [OnnxAttribute.Int("axis", 1)]);
        string Vector(string name, IEnumerable<float> values) => graph.AddInitializer($"{P}.{name}", n => OnnxTensor.Float(n, [k], values.ToArray()));
        string deviation = Node("Sub", "deviation", [raw, Vector("centers", calibration.Centers)]);
        string twoSided = Vector("two_sided", OutOfDistributionStatistics.TwoSided.Select(b => b ? 1f : 0f));
        string oneSided = Vector("one_sided", OutOfDistributionStatistics.TwoSided.Select(b => b ? 0f : 1f));
        string g = Node("Add", "g", [Node("Mul", "g_two_sided", [Node("Abs", "abs_deviation", [deviation]), twoSided]), Node("Mul", "g_one_sided", [deviation, oneSided])]);
        string normalised = Node("Div", "normalised", [Node("Sub", "over_threshold", [g, Vector("thresholds", calibration.Thresholds)]), Vector("scales", calibration.Scales)]);
        string score = Node("ReduceMax", "score", [normalised], [OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1)]);
        return graph.AddNode("Concat", $"{P}.output", [score, normalised], [OnnxAttribute.Int("axis", 1)], output);
    }
}
