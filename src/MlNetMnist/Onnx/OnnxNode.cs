namespace MlNetMnist.Onnx;

/// <summary>An ONNX <c>NodeProto</c> (of the default operator domain unless <see cref="Domain"/> is set).</summary>
/// <param name="OpType">Operator, e.g. <c>Conv</c>.</param>
/// <param name="Name">Node name (readable, unique in the graph).</param>
/// <param name="Inputs">Input value names, in operator order.</param>
/// <param name="Outputs">Output value names.</param>
/// <param name="Attributes">Attributes.</param>
/// <param name="Domain">Operator domain, e.g. <c>ai.onnx.ml</c>; empty for the default (<c>ai.onnx</c>).</param>
internal sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<OnnxAttribute> Attributes, string Domain = "")
{
    private const int InputField = 1;
    private const int OutputField = 2;
    private const int NameField = 3;
    private const int OpTypeField = 4;
    private const int AttributeField = 5;
    private const int DomainField = 7;

    /// <summary>Writes the <c>NodeProto</c> fields.</summary>
    public void WriteTo(ProtoWriter writer)
    {
        foreach (string input in Inputs) writer.WriteString(InputField, input);
        foreach (string output in Outputs) writer.WriteString(OutputField, output);
        writer.WriteString(NameField, Name);
        writer.WriteString(OpTypeField, OpType);
        foreach (var attribute in Attributes) writer.WriteMessage(AttributeField, attribute.WriteTo);
        if (Domain.Length > 0) writer.WriteString(DomainField, Domain);
    }
}
