namespace MlNetMnist.Onnx;

/// <summary>One dimension of a tensor shape (<c>TensorShapeProto.Dimension</c>): a size or a symbolic name.</summary>
internal sealed class OnnxDimension
{
    private const int DimValueField = 1;
    private const int DimParamField = 2;

    private OnnxDimension(long? value, string? param)
    {
        Value = value;
        Param = param;
    }

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Value { get; }

    /// <summary>The symbolic name (e.g. <c>N</c>), or null for a fixed size.</summary>
    public string? Param { get; }

    /// <summary>A dimension of fixed size.</summary>
    public static OnnxDimension Fixed(long value) => new(value, null);

    /// <summary>A symbolic dimension such as the batch size.</summary>
    public static OnnxDimension Symbolic(string param) => new(null, param);

    /// <summary>Writes the <c>Dimension</c> fields.</summary>
    public void WriteTo(ProtoWriter writer)
    {
        if (Value is long value) writer.WriteInt64(DimValueField, value);
        else writer.WriteString(DimParamField, Param!);
    }
}
