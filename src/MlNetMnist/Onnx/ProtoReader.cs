namespace MlNetMnist.Onnx;

/// <summary>
/// A minimal decoder for the protocol-buffers wire format: reads field tags, varints and
/// length-delimited fields, and skips everything else.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Creates a reader over one encoded message.</summary>
    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Reads the next field tag; false at the end of the message.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        if (_position >= _data.Length)
        {
            field = 0;
            wireType = 0;
            return false;
        }
        ulong tag = ReadVarint();
        field = checked((int)(tag >> 3));
        wireType = (int)(tag & 7);
        if (field < 1) throw new InvalidDataException("Invalid protobuf field number 0.");
        return true;
    }

    /// <summary>Reads a varint.</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _data.Length) throw new InvalidDataException("Truncated protobuf varint.");
            byte b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw new InvalidDataException("Malformed protobuf varint.");
    }

    /// <summary>Reads the payload of a length-delimited field.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position)) throw new InvalidDataException("Truncated protobuf field.");
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>Skips the payload of a field of the given wire type.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case ProtoWriter.WireVarint: ReadVarint(); break;
            case ProtoWriter.WireFixed64: Advance(8); break;
            case ProtoWriter.WireLengthDelimited: ReadLengthDelimited(); break;
            case ProtoWriter.WireFixed32: Advance(4); break;
            default: throw new InvalidDataException($"Unsupported protobuf wire type {wireType}.");
        }
    }

    private void Advance(int count)
    {
        if (count > _data.Length - _position) throw new InvalidDataException("Truncated protobuf field.");
        _position += count;
    }
}
