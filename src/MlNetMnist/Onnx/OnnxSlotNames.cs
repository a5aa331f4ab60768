namespace MlNetMnist.Onnx;

/// <summary>
/// Slot names of a graph output, written the way ML.NET 5's <c>OnnxTransformer</c> reads them back: a
/// node named <c>mlnet.&lt;output&gt;.SlotNames</c> with a <c>keys_strings</c> attribute. As in ML.NET's own
/// ONNX export, the node is a real, valid <c>ai.onnx.ml.LabelEncoder</c> (here fed by a constant cast to
/// text) whose result nothing uses, so every ONNX runtime accepts the graph and computes the same outputs.
/// </summary>
internal static class OnnxSlotNames
{
    /// <summary>The domain of <c>LabelEncoder</c>.</summary>
    public const string MlDomain = "ai.onnx.ml";

    /// <summary>The <c>ai.onnx.ml</c> opset version written: 2 is the first with <c>keys_strings</c>/<c>values_int64s</c>.</summary>
    public const long MlDomainVersion = 2;

    /// <summary>The name ML.NET looks for.</summary>
    public static string NodeName(string outputName) => $"mlnet.{outputName}.SlotNames";

    /// <summary>Adds the slot-name node of <paramref name="outputName"/>.</summary>
    /// <exception cref="ArgumentException">Not <paramref name="expectedCount"/> names.</exception>
    public static void Add(OnnxGraphBuilder graph, string outputName, IReadOnlyList<string> names, int expectedCount)
    {
        if (names.Count != expectedCount)
            throw new ArgumentException($"{names.Count} class names for an output of {expectedCount} classes.", nameof(names));
        string node = NodeName(outputName);
        string zero = graph.AddInitializer($"{node}.index", n => OnnxTensor.Int64(n, [1], [0L]));
        string text = graph.AddNode("Cast", $"{node}.text", [zero], [OnnxAttribute.Int("to", OnnxStringType)]);
        graph.AddNode("LabelEncoder", node, [text],
            [
                OnnxAttribute.Strings("keys_strings", names),
                OnnxAttribute.Ints("values_int64s", Enumerable.Range(0, names.Count).Select(i => (long)i).ToArray()),
                OnnxAttribute.Int("default_int64", -1),
            ],
            domain: MlDomain);
    }

    /// <summary>The opset version to import for <paramref name="domain"/>.</summary>
    public static long DomainVersion(string domain) => domain == MlDomain
        ? MlDomainVersion
        : throw new InvalidOperationException($"No opset version known for the ONNX domain '{domain}'.");

    /// <summary><c>TensorProto.DataType.STRING</c>.</summary>
    private const long OnnxStringType = 8;
}
