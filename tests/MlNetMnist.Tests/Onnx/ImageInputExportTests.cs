using Microsoft.ML.OnnxRuntime;
using MlNetMnist.Images;
using MlNetMnist.Networks;
using MlNetMnist.Onnx;

namespace MlNetMnist.Tests.Onnx;

/// <summary>
/// <see cref="OnnxExportOptions.ImageInput"/>: one graph, the MNIST-style centring then the network, that
/// computes what the centring graph (<see cref="OnnxCentringExporter"/>, the one saved in model.zip)
/// followed by the pixel-input network graph computes.
/// </summary>
public class ImageInputExportTests
{
    private const int Size = 64;

    [Fact]
    public void ImageInputGraphIsTheCentringGraphFollowedByTheNetwork()
    {
        var definition = Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        var trained = TrainedNetwork.Create(definition, seed: 3);
        var image = new DigitImageInputOptions { WorkingSize = Size };
        byte[] combined = OnnxExporter.Export(definition, trained.Weights, new OnnxExportOptions { InputName = "Image", ImageInput = image });
        byte[] centring = OnnxCentringExporter.Export(image.ToCentringSpec(), Size, "Image", "Features", OnnxLayout.Batch);
        byte[] network = OnnxExporter.Export(definition, trained.Weights, new OnnxExportOptions());

        const int n = 6;
        float[] planes = Planes(n, seed: 1);
        using var combinedSession = new InferenceSession(combined);
        Assert.Equal(new[] { -1, 4, Size, Size }, combinedSession.InputMetadata["Image"].Dimensions);
        var outputs = OnnxRunner.Run(combinedSession, "Image", planes, [n, 4, Size, Size]);
        var score = (OnnxRunner.Output<float>)outputs["Score"];
        var index = (OnnxRunner.Output<long>)outputs["PredictedIndex"];
        Assert.Equal(new[] { n, 10 }, score.Dimensions);
        Assert.Equal(new[] { n }, index.Dimensions);

        using var centringSession = new InferenceSession(centring);
        var pixels = ((OnnxRunner.Output<float>)OnnxRunner.Run(centringSession, "Image", planes, [n, 4, Size, Size])["Features"]).Values;
        for (int i = 0; i < n; i++) Assert.True(pixels.AsSpan(i * 784, 784).ToArray().Max() > 200, $"image {i} has no ink after centring");
        using var networkSession = new InferenceSession(network);
        var expected = ((OnnxRunner.Output<float>)OnnxRunner.Run(networkSession, "Features", pixels, [n, 784])["Score"]).Values;

        Assert.Equal(expected, score.Values, new ToleranceComparer(1e-5f));
        for (int i = 0; i < n; i++)
        {
            var row = score.Values.AsSpan(i * 10, 10).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), (int)index.Values[i]);
        }
    }

    [Fact]
    public void MetadataDocumentsTheImageInput()
    {
        var trained = TrainedNetwork.Create(Architectures.Create(NetworkArchitecture.Mlp, 1, 28, 28, 10, TrainedNetwork.MnistNormalize), seed: 2);
        var options = new OnnxExportOptions
        {
            InputName = "Image",
            ImageInput = new DigitImageInputOptions { WorkingSize = Size, BoxSize = 18 },
            Metadata = new Dictionary<string, string> { ["input_shape"] = "1x28x28", ["note"] = "kept" },
        };
        var metadata = OnnxModelInfo.Read(OnnxExporter.Export(trained.Definition, trained.Weights, options)).Metadata;
        Assert.Equal($"4x{Size}x{Size}", metadata["input_shape"]);
        Assert.Equal(Size.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["working_size"]);
        Assert.Equal("1x28x28", metadata["network_input_shape"]);
        Assert.StartsWith("planes alpha, red, green, blue", metadata["input_layout"], StringComparison.Ordinal);
        Assert.Contains("IsoPad", metadata["input_layout"], StringComparison.Ordinal);
        Assert.StartsWith("0-255", metadata["input_values"], StringComparison.Ordinal);
        Assert.Contains("BoxSize = 18", metadata["centring"], StringComparison.Ordinal);
        Assert.Equal("kept", metadata["note"]);
    }

    [Fact]
    public void RowLayoutReadsOneImageLikeTheBatchLayout()
    {
        var trained = TrainedNetwork.Create(Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize), seed: 4);
        var image = new DigitImageInputOptions { WorkingSize = Size };
        byte[] batch = OnnxExporter.Export(trained.Definition, trained.Weights, new OnnxExportOptions { ImageInput = image });
        byte[] row = OnnxExporter.Export(trained.Definition, trained.Weights, new OnnxExportOptions { ImageInput = image, Layout = OnnxLayout.Row });
        float[] planes = Planes(1, seed: 5);

        using var batchSession = new InferenceSession(batch);
        using var rowSession = new InferenceSession(row);
        Assert.Equal(new[] { 4, Size, Size }, rowSession.InputMetadata["Features"].Dimensions);
        var expected = ((OnnxRunner.Output<float>)OnnxRunner.Run(batchSession, "Features", planes, [1, 4, Size, Size])["Score"]).Values;
        var actual = (OnnxRunner.Output<float>)OnnxRunner.Run(rowSession, "Features", planes, [4, Size, Size])["Score"];
        Assert.Equal(new[] { 10 }, actual.Dimensions);
        Assert.Equal(expected, actual.Values, new ToleranceComparer(1e-6f));
    }

    [Fact]
    public void OptionsThatDoNotCentreIntoTheNetworksInputAreRejected()
    {
        var mnist = TrainedNetwork.Create(Architectures.Create(NetworkArchitecture.Mlp, 1, 28, 28, 10, TrainedNetwork.MnistNormalize), seed: 6);
        var colour = TrainedNetwork.Create(Architectures.Create(NetworkArchitecture.Mlp, 3, 28, 28, 10, TrainedNetwork.MnistNormalize), seed: 6);
        void Export(TrainedNetwork network, DigitImageInputOptions image) =>
            OnnxExporter.Export(network.Definition, network.Weights, new OnnxExportOptions { ImageInput = image });

        Assert.Contains("CentreByMass", Assert.Throws<ArgumentException>(() => Export(mnist, new DigitImageInputOptions { CentreByMass = false })).Message);
        Assert.Contains("KeepColor", Assert.Throws<ArgumentException>(() => Export(mnist, new DigitImageInputOptions { KeepColor = true })).Message);
        Assert.Contains("1x20x20", Assert.Throws<ArgumentException>(() => Export(mnist, new DigitImageInputOptions { Width = 20, Height = 20, BoxSize = 16 })).Message);
        Assert.Contains("3x28x28", Assert.Throws<ArgumentException>(() => Export(colour, new DigitImageInputOptions())).Message);
        Assert.Contains("WorkingSize", Assert.Throws<ArgumentException>(() => Export(mnist, new DigitImageInputOptions { WorkingSize = 20 })).Message);
    }

    /// <summary>
    /// <paramref name="count"/> images as ML.NET's IsoPad + ExtractPixels give them: a grey canvas (alpha
    /// 255) wider than tall, fitted into the square with transparent rows (all planes 0) above and below,
    /// with a dark ring and stroke somewhere on it.
    /// </summary>
    private static float[] Planes(int count, int seed)
    {
        var random = new Random(seed);
        int plane = Size * Size;
        var values = new float[count * 4 * plane];
        for (int i = 0; i < count; i++)
        {
            int height = random.Next(Size / 2, Size + 1), top = (Size - height) / 2;
            float paper = random.Next(150, 220), ink = random.Next(0, 50);
            int cx = random.Next(14, Size - 14), cy = top + random.Next(Math.Min(10, height / 2), Math.Max(11, height - 10));
            for (int y = top; y < top + height; y++)
                for (int x = 0; x < Size; x++)
                {
                    double r = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                    bool stroke = Math.Abs(r - 7) < 2 || (x == cx + 7 && y > cy && y < cy + 16);
                    float gray = stroke ? ink : paper;
                    int at = i * 4 * plane + y * Size + x;
                    values[at] = 255;
                    values[at + plane] = values[at + 2 * plane] = values[at + 3 * plane] = gray;
                }
        }
        return values;
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
