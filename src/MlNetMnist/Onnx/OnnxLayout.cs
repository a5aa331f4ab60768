namespace MlNetMnist.Onnx;

/// <summary>The input and output shapes of an exported graph.</summary>
public enum OnnxLayout
{
    /// <summary>
    /// For standalone use: input <c>float [N, InputSize]</c> (symbolic batch size <c>N</c>), output
    /// scores <c>float [N, Classes]</c> and predicted indices <c>int64 [N]</c>.
    /// </summary>
    Batch,

    /// <summary>
    /// For ML.NET's OnnxTransformer, which scores one row at a time: input <c>float [InputSize]</c>,
    /// output scores <c>float [Classes]</c> and the predicted index as <c>int64 [1]</c>. (ML.NET 5.0.1's
    /// OnnxTransformer cannot read rank-0 outputs: a missing shape makes it throw while loading, an
    /// empty one while reading; <c>[1]</c> becomes a <c>Vector&lt;Int64, 1&gt;</c> column.)
    /// </summary>
    Row,
}
