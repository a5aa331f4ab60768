using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using MlNetMnist.Onnx;

namespace MlNetMnist.SavedModels;

/// <summary>
/// Reads, from an ML.NET model file saved from a TorchCnn model, the metadata of the ONNX network
/// inside it (network name, input shape, class names, producer). ML.NET's <c>OnnxTransformer</c> stores
/// the ONNX model in an entry named <c>.../OnnxModel</c>, as a 32-bit length and the model's bytes.
/// </summary>
internal static class SavedModelMetadata
{
    /// <summary>The metadata of the first ONNX model in the file, or an empty dictionary when there is none or it cannot be read.</summary>
    public static IReadOnlyDictionary<string, string> Read(string modelPath)
    {
        try
        {
            using var zip = ZipFile.OpenRead(modelPath);
            var entry = zip.Entries.FirstOrDefault(e => e.Name == "OnnxModel");
            if (entry is null || entry.Length < 4 || entry.Length > int.MaxValue) return new Dictionary<string, string>();
            var bytes = new byte[entry.Length];
            using (var stream = entry.Open()) stream.ReadExactly(bytes);
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
            if (length < 0 || length > bytes.Length - 4) return new Dictionary<string, string>();
            return OnnxModelInfo.Read(bytes.AsSpan(4, length)).Metadata;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or EndOfStreamException)
        {
            return new Dictionary<string, string>();
        }
    }

    /// <summary>Parses an <c>input_shape</c> value such as <c>1x28x28</c>.</summary>
    public static ImageShape? ParseShape(string? text)
    {
        var parts = text?.Split('x');
        if (parts is not { Length: 3 }) return null;
        var numbers = new int[3];
        for (int i = 0; i < 3; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]) || numbers[i] < 1) return null;
        return new ImageShape(numbers[0], numbers[1], numbers[2]);
    }
}
