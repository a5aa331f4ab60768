using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace MlNetMnist.Onnx;

/// <summary>
/// A minimal encoder for the protocol-buffers wire format: varints, 64-bit and 32-bit fixed values,
/// length-delimited fields (bytes, strings, nested messages) and packed repeated int64 and float.
/// Fields are written in call order and default values are not skipped.
/// </summary>
internal sealed class ProtoWriter
{
    /// <summary>Wire type of varint fields (int32, int64, uint64, bool, enum).</summary>
    public const int WireVarint = 0;

    /// <summary>Wire type of 64-bit fixed fields (fixed64, sfixed64, double).</summary>
    public const int WireFixed64 = 1;

    /// <summary>Wire type of length-delimited fields (string, bytes, messages, packed repeated).</summary>
    public const int WireLengthDelimited = 2;

    /// <summary>Wire type of 32-bit fixed fields (fixed32, sfixed32, float).</summary>
    public const int WireFixed32 = 5;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Number of bytes written so far.</summary>
    public long Length => _buffer.WrittenCount;

    /// <summary>Writes a varint field (an int64 value; negative values take ten bytes, as in protobuf).</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteRawVarint((ulong)value);
    }

    /// <summary>Writes a 64-bit fixed field.</summary>
    public void WriteFixed64(int field, ulong value)
    {
        WriteTag(field, WireFixed64);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a 64-bit double field.</summary>
    public void WriteDouble(int field, double value) => WriteFixed64(field, BitConverter.DoubleToUInt64Bits(value));

    /// <summary>Writes a 32-bit float field.</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a length-delimited bytes field.</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteRawVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Writes a UTF-8 string field.</summary>
    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Writes a nested message whose fields <paramref name="body"/> writes.</summary>
    public void WriteMessage(int field, Action<ProtoWriter> body)
    {
        var nested = new ProtoWriter();
        body(nested);
        WriteTag(field, WireLengthDelimited);
        WriteRawVarint((ulong)nested._buffer.WrittenCount);
        _buffer.Write(nested._buffer.WrittenSpan);
    }

    /// <summary>Writes a packed repeated int64 field (nothing when <paramref name="values"/> is empty).</summary>
    public void WritePackedInt64(int field, IReadOnlyCollection<long> values)
    {
        if (values.Count == 0) return;
        var packed = new ProtoWriter();
        foreach (long v in values) packed.WriteRawVarint((ulong)v);
        WriteBytes(field, packed.ToArray());
    }

    /// <summary>Writes a packed repeated float field (nothing when <paramref name="values"/> is empty).</summary>
    public void WritePackedFloat(int field, IReadOnlyCollection<float> values)
    {
        if (values.Count == 0) return;
        var bytes = new byte[values.Count * 4];
        int offset = 0;
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset), v);
            offset += 4;
        }
        WriteBytes(field, bytes);
    }

    /// <summary>The encoded bytes.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void WriteTag(int field, int wireType)
    {
        if (field < 1) throw new ArgumentOutOfRangeException(nameof(field), field, "Protobuf field numbers start at 1.");
        WriteRawVarint(((ulong)field << 3) | (uint)wireType);
    }

    private void WriteRawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            WriteRawByte((byte)(value | 0x80));
            value >>= 7;
        }
        WriteRawByte((byte)value);
    }

    private void WriteRawByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }
}
