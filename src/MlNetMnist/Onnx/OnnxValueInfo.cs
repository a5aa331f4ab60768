namespace MlNetMnist.Onnx;

/// <summary>
/// An ONNX <c>ValueInfoProto</c> for a graph input or output: a name and a tensor type. A null
/// <see cref="Shape"/> writes no shape field at all (unknown rank); an empty shape declares a rank-0 tensor.
/// </summary>
/// <param name="Name">Value name.</param>
/// <param name="ElementType">Element type.</param>
/// <param name="Shape">Dimensions, or null for no shape field.</param>
internal sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDimension>? Shape)
{
    private const int NameField = 1;
    private const int TypeField = 2;
    private const int TensorTypeField = 1;
    private const int ElemTypeField = 1;
    private const int ShapeField = 2;
    private const int DimField = 1;

    /// <summary>Writes the <c>ValueInfoProto</c> fields.</summary>
    public void WriteTo(ProtoWriter writer)
    {
        writer.WriteString(NameField, Name);
        writer.WriteMessage(TypeField, type => type.WriteMessage(TensorTypeField, WriteTensorType));
    }

    private void WriteTensorType(ProtoWriter writer)
    {
        writer.WriteInt64(ElemTypeField, (long)ElementType);
        if (Shape is null) return;
        writer.WriteMessage(ShapeField, shape =>
        {
            foreach (var dim in Shape) shape.WriteMessage(DimField, dim.WriteTo);
        });
    }
}
