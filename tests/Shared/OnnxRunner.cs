using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlNetMnist.Tests.Shared;

/// <summary>Runs exported models with ONNX Runtime.</summary>
internal static class OnnxRunner
{
    /// <summary>One output tensor: its dimensions and values.</summary>
    public sealed record Output<T>(int[] Dimensions, T[] Values);

    /// <summary>Runs <paramref name="session"/> on one input tensor and returns all outputs by name.</summary>
    public static Dictionary<string, object> Run(InferenceSession session, string inputName, float[] values, int[] dimensions)
    {
        var input = NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(values, dimensions));
        using var results = session.Run([input]);
        var outputs = new Dictionary<string, object>();
        foreach (var result in results)
        {
            outputs[result.Name] = result.ElementType switch
            {
                TensorElementType.Float => Copy(result.AsTensor<float>()),
                TensorElementType.Int64 => Copy(result.AsTensor<long>()),
                var other => throw new InvalidOperationException($"Unexpected output type {other}."),
            };
        }
        return outputs;
    }

    private static Output<T> Copy<T>(Tensor<T> tensor) => new(tensor.Dimensions.ToArray(), tensor.ToArray());
}
