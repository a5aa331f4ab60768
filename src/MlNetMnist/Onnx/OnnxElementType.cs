namespace MlNetMnist.Onnx;

/// <summary>The ONNX tensor element types the exporter writes (<c>TensorProto.DataType</c>).</summary>
internal enum OnnxElementType
{
    /// <summary>32-bit float.</summary>
    Float = 1,

    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,
}
