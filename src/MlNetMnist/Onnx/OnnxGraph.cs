namespace MlNetMnist.Onnx;

/// <summary>An ONNX <c>GraphProto</c>: nodes in topological order, initializers, inputs and outputs.</summary>
/// <param name="Name">Graph name.</param>
/// <param name="DocString">Human-readable description.</param>
/// <param name="Nodes">Nodes, in topological order.</param>
/// <param name="Initializers">Constant tensors.</param>
/// <param name="Inputs">Graph inputs (not including initializers).</param>
/// <param name="Outputs">Graph outputs.</param>
internal sealed record OnnxGraph(
    string Name,
    string DocString,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyList<OnnxTensor> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs)
{
    private const int NodeField = 1;
    private const int NameField = 2;
    private const int InitializerField = 5;
    private const int DocStringField = 10;
    private const int InputField = 11;
    private const int OutputField = 12;

    /// <summary>Writes the <c>GraphProto</c> fields.</summary>
    public void WriteTo(ProtoWriter writer)
    {
        foreach (var node in Nodes) writer.WriteMessage(NodeField, node.WriteTo);
        writer.WriteString(NameField, Name);
        foreach (var tensor in Initializers) writer.WriteMessage(InitializerField, tensor.WriteTo);
        if (DocString.Length > 0) writer.WriteString(DocStringField, DocString);
        foreach (var input in Inputs) writer.WriteMessage(InputField, input.WriteTo);
        foreach (var output in Outputs) writer.WriteMessage(OutputField, output.WriteTo);
    }
}
