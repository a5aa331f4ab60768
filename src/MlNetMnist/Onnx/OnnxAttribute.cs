namespace MlNetMnist.Onnx;

/// <summary>An ONNX <c>AttributeProto</c> of type FLOAT, INT, STRING, FLOATS, INTS or STRINGS.</summary>
internal sealed class OnnxAttribute
{
    private const int NameField = 1;
    private const int FloatField = 2;
    private const int IntField = 3;
    private const int StringField = 4;
    private const int FloatsField = 7;
    private const int IntsField = 8;
    private const int StringsField = 9;
    private const int TypeField = 20;

    private const int TypeFloat = 1;
    private const int TypeInt = 2;
    private const int TypeString = 3;
    private const int TypeFloats = 6;
    private const int TypeInts = 7;
    private const int TypeStrings = 8;

    private readonly Action<ProtoWriter> _writeValue;

    private OnnxAttribute(string name, int type, Action<ProtoWriter> writeValue)
    {
        Name = name;
        Type = type;
        _writeValue = writeValue;
    }

    /// <summary>Attribute name, e.g. <c>kernel_shape</c>.</summary>
    public string Name { get; }

    /// <summary>The <c>AttributeProto.AttributeType</c> value.</summary>
    public int Type { get; }

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, TypeFloat, w => w.WriteFloat(FloatField, value));

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, TypeInt, w => w.WriteInt64(IntField, value));

    /// <summary>A UTF-8 string attribute.</summary>
    public static OnnxAttribute String(string name, string value) => new(name, TypeString, w => w.WriteString(StringField, value));

    /// <summary>A list-of-floats attribute.</summary>
    public static OnnxAttribute Floats(string name, params float[] values) => new(name, TypeFloats, w => w.WritePackedFloat(FloatsField, values));

    /// <summary>A list-of-integers attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, TypeInts, w => w.WritePackedInt64(IntsField, values));

    /// <summary>A list-of-UTF-8-strings attribute.</summary>
    public static OnnxAttribute Strings(string name, IReadOnlyList<string> values) => new(name, TypeStrings, w =>
    {
        foreach (string value in values) w.WriteString(StringsField, value);
    });

    /// <summary>Writes the <c>AttributeProto</c> fields.</summary>
    public void WriteTo(ProtoWriter writer)
    {
        writer.WriteString(NameField, Name);
        _writeValue(writer);
        writer.WriteInt64(TypeField, Type);
    }
}
