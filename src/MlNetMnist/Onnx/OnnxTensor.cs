using System.Buffers.Binary;

namespace MlNetMnist.Onnx;

/// <summary>An ONNX <c>TensorProto</c> (an initializer) with little-endian raw data.</summary>
internal sealed class OnnxTensor
{
    private const int DimsField = 1;
    private const int DataTypeField = 2;
    private const int NameField = 8;
    private const int RawDataField = 9;

    private OnnxTensor(string name, OnnxElementType elementType, long[] dims, byte[] rawData)
    {
        Name = name;
        ElementType = elementType;
        Dims = dims;
        RawData = rawData;
    }

    /// <summary>Tensor name (referenced by node inputs).</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>Shape; empty for a scalar.</summary>
    public long[] Dims { get; }

    /// <summary>The values, little-endian.</summary>
    public byte[] RawData { get; }

    /// <summary>A float tensor.</summary>
    public static OnnxTensor Float(string name, long[] dims, IReadOnlyList<float> values)
    {
        CheckCount(name, dims, values.Count);
        var raw = new byte[values.Count * sizeof(float)];
        for (int i = 0; i < values.Count; i++)
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        return new OnnxTensor(name, OnnxElementType.Float, dims, raw);
    }

    /// <summary>An int64 tensor.</summary>
    public static OnnxTensor Int64(string name, long[] dims, IReadOnlyList<long> values)
    {
        CheckCount(name, dims, values.Count);
        var raw = new byte[values.Count * sizeof(long)];
        for (int i = 0; i < values.Count; i++)
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        return new OnnxTensor(name, OnnxElementType.Int64, dims, raw);
    }

    /// <summary>Writes the <c>TensorProto</c> fields.</summary>
    public void WriteTo(ProtoWriter writer)
    {
        writer.WritePackedInt64(DimsField, Dims);
        writer.WriteInt64(DataTypeField, (long)ElementType);
        writer.WriteString(NameField, Name);
        writer.WriteBytes(RawDataField, RawData);
    }

    private static void CheckCount(string name, long[] dims, int count)
    {
        long expected = 1;
        foreach (long d in dims) expected *= d;
        if (expected != count)
            throw new ArgumentException($"Tensor '{name}' has {count} values but its shape [{string.Join(", ", dims)}] needs {expected}.");
    }
}
