using MlNetMnist.Onnx;

namespace MlNetMnist.Tests.Onnx;

public class ProtoWriterTests
{
    [Fact]
    public void VarintsUseSevenBitGroupsAndNegativeInt64TakesTenBytes()
    {
        var writer = new ProtoWriter();
        writer.WriteInt64(1, 300);
        writer.WriteInt64(2, -1);
        Assert.Equal(
            new byte[] { 0x08, 0xAC, 0x02, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 },
            writer.ToArray());
    }

    [Fact]
    public void FixedWidthValuesAreLittleEndian()
    {
        var writer = new ProtoWriter();
        writer.WriteFloat(2, 1.0f);
        writer.WriteFixed64(3, 0x0102030405060708UL);
        Assert.Equal(
            new byte[] { 0x15, 0x00, 0x00, 0x80, 0x3F, 0x19, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 },
            writer.ToArray());
    }

    [Fact]
    public void NestedMessagesAndStringsAreLengthDelimited()
    {
        var writer = new ProtoWriter();
        writer.WriteMessage(3, inner => inner.WriteInt64(1, 150));
        writer.WriteString(2, "testing");
        Assert.Equal(
            new byte[] { 0x1A, 0x03, 0x08, 0x96, 0x01, 0x12, 0x07, (byte)'t', (byte)'e', (byte)'s', (byte)'t', (byte)'i', (byte)'n', (byte)'g' },
            writer.ToArray());
    }

    [Fact]
    public void PackedRepeatedFieldsAreOneLengthDelimitedField()
    {
        var writer = new ProtoWriter();
        writer.WritePackedInt64(4, [3, 270, 86942]);
        writer.WritePackedFloat(7, [1.0f, -2.0f]);
        writer.WritePackedInt64(8, []);
        Assert.Equal(
            new byte[] { 0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05, 0x3A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0 },
            writer.ToArray());
    }

    [Fact]
    public void ReaderReadsWhatWriterWrote()
    {
        var writer = new ProtoWriter();
        writer.WriteInt64(1, 123456789);
        writer.WriteFloat(2, 3.5f);
        writer.WriteDouble(3, 2.25);
        writer.WriteString(14, "hello");
        var reader = new ProtoReader(writer.ToArray());
        var fields = new List<(int, int)>();
        string? text = null;
        while (reader.TryReadTag(out int field, out int wireType))
        {
            fields.Add((field, wireType));
            if (field == 1) Assert.Equal(123456789UL, reader.ReadVarint());
            else if (field == 14) text = System.Text.Encoding.UTF8.GetString(reader.ReadLengthDelimited());
            else reader.Skip(wireType);
        }
        Assert.Equal([(1, 0), (2, 5), (3, 1), (14, 2)], fields);
        Assert.Equal("hello", text);
    }
}
