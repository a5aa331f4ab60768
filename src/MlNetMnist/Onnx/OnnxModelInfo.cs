using System.Text;

namespace MlNetMnist.Onnx;

/// <summary>
/// What the library reads back from a saved ONNX model: its metadata (<c>ModelProto.metadata_props</c>),
/// where the exporter stores, for example, the class labels.
/// </summary>
public sealed class OnnxModelInfo
{
    private OnnxModelInfo(IReadOnlyDictionary<string, string> metadata) => Metadata = metadata;

    /// <summary>The model's metadata key/value pairs (for a repeated key, the last value).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads the metadata of an encoded ONNX model.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed protobuf message.</exception>
    public static OnnxModelInfo Read(ReadOnlySpan<byte> onnx)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new ProtoReader(onnx);
        while (reader.TryReadTag(out int field, out int wireType))
        {
            if (field == OnnxModel.MetadataField && wireType == ProtoWriter.WireLengthDelimited)
            {
                var (key, value) = ReadEntry(reader.ReadLengthDelimited());
                metadata[key] = value;
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return new OnnxModelInfo(metadata);
    }

    /// <summary>Reads the metadata of the ONNX model file at <paramref name="path"/>.</summary>
    public static OnnxModelInfo ReadFile(string path) => Read(File.ReadAllBytes(path));

    private static (string Key, string Value) ReadEntry(ReadOnlySpan<byte> entry)
    {
        string key = "", value = "";
        var reader = new ProtoReader(entry);
        while (reader.TryReadTag(out int field, out int wireType))
        {
            if (wireType != ProtoWriter.WireLengthDelimited) reader.Skip(wireType);
            else if (field == OnnxModel.EntryKeyField) key = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
            else if (field == OnnxModel.EntryValueField) value = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
            else reader.Skip(wireType);
        }
        return (key, value);
    }
}
