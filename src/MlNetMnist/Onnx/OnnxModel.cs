namespace MlNetMnist.Onnx;

/// <summary>An ONNX <c>ModelProto</c> using one opset of the default domain.</summary>
/// <param name="IrVersion">ONNX IR version.</param>
/// <param name="OpsetVersion">Version of the default (<c>ai.onnx</c>) operator set.</param>
/// <param name="ProducerName">Name of the tool that wrote the model.</param>
/// <param name="ProducerVersion">Version of that tool.</param>
/// <param name="DocString">Human-readable description.</param>
/// <param name="Graph">The graph.</param>
/// <param name="Metadata">Key/value metadata (<c>metadata_props</c>).</param>
/// <param name="ExtraOpsets">Operator sets of other domains the graph uses (domain, version), e.g. <c>ai.onnx.ml</c>.</param>
internal sealed record OnnxModel(
    long IrVersion,
    long OpsetVersion,
    string ProducerName,
    string ProducerVersion,
    string DocString,
    OnnxGraph Graph,
    IReadOnlyList<KeyValuePair<string, string>> Metadata,
    IReadOnlyList<KeyValuePair<string, long>>? ExtraOpsets = null)
{
    private const int IrVersionField = 1;
    private const int ProducerNameField = 2;
    private const int ProducerVersionField = 3;
    private const int DocStringField = 6;
    private const int GraphField = 7;
    private const int OpsetImportField = 8;
    private const int MetadataPropsField = 14;

    private const int OpsetDomainField = 1;
    private const int OpsetVersionField = 2;

    /// <summary>Field number of <c>ModelProto.metadata_props</c>.</summary>
    internal const int MetadataField = MetadataPropsField;

    /// <summary>Field number of <c>StringStringEntryProto.key</c>.</summary>
    internal const int EntryKeyField = 1;

    /// <summary>Field number of <c>StringStringEntryProto.value</c>.</summary>
    internal const int EntryValueField = 2;

    /// <summary>Encodes the model.</summary>
    public byte[] ToBytes()
    {
        var writer = new ProtoWriter();
        WriteTo(writer);
        return writer.ToArray();
    }

    /// <summary>Writes the <c>ModelProto</c> fields.</summary>
    public void WriteTo(ProtoWriter writer)
    {
        writer.WriteInt64(IrVersionField, IrVersion);
        writer.WriteString(ProducerNameField, ProducerName);
        writer.WriteString(ProducerVersionField, ProducerVersion);
        if (DocString.Length > 0) writer.WriteString(DocStringField, DocString);
        writer.WriteMessage(GraphField, Graph.WriteTo);
        writer.WriteMessage(OpsetImportField, opset =>
        {
            opset.WriteString(OpsetDomainField, "");
            opset.WriteInt64(OpsetVersionField, OpsetVersion);
        });
        foreach (var (domain, version) in ExtraOpsets ?? [])
            writer.WriteMessage(OpsetImportField, opset =>
            {
                opset.WriteString(OpsetDomainField, domain);
                opset.WriteInt64(OpsetVersionField, version);
            });
        foreach (var (key, value) in Metadata)
            writer.WriteMessage(MetadataPropsField, entry =>
            {
                entry.WriteString(EntryKeyField, key);
                entry.WriteString(EntryValueField, value);
            });
    }
}
