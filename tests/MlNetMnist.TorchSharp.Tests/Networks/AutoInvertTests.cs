using Microsoft.ML.OnnxRuntime;
using MlNetMnist.Networks;
using MlNetMnist.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Networks;

public class AutoInvertTests
{
    [Fact]
    public void BorderIndicesAreTheOuterRingOfEveryChannel()
    {
        var indices = new AutoInvertSpec(1, 4, 5, BorderWidth: 1).BorderIndices();
        // 4x5: all but the 2x3 interior (indices 6, 7, 8, 11, 12, 13).
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 9, 10, 14, 15, 16, 17, 18, 19 }, indices);
        Assert.Equal(28 * 28 - 24 * 24, new AutoInvertSpec(1, 28, 28).BorderIndices().Length);
        Assert.Equal(2 * (6 * 6 - 2 * 2), new AutoInvertSpec(2, 6, 6, BorderWidth: 2).BorderIndices().Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoInvertSpec(1, 4, 4, BorderWidth: 0).BorderIndices());
    }

    [Fact]
    public void PrependAddsTheLayerOnceInFront()
    {
        var definition = Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        var withInvert = AutoInvertSpec.Prepend(definition);
        Assert.Equal(new AutoInvertSpec(1, 28, 28), withInvert.Layers[0]);
        Assert.Equal(definition.Layers, withInvert.Layers.Skip(1));
        Assert.Same(withInvert, AutoInvertSpec.Prepend(withInvert));
    }

    [Fact]
    public void TorchSharpAndOnnxInvertTheSameImagesAndGiveTheSameScores()
    {
        var definition = AutoInvertSpec.Prepend(Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize));
        const int rows = 12;
        var inputs = new float[rows * 784];
        var random = new Random(7);
        for (int r = 0; r < rows; r++)
        {
            bool light = r % 2 == 1;
            for (int i = 0; i < 784; i++)
            {
                int y = i / 28, x = i % 28;
                bool border = y < 2 || y >= 26 || x < 2 || x >= 26;
                inputs[r * 784 + i] = border ? (light ? 200 + random.Next(56) : random.Next(56)) : random.Next(256);
            }
        }

        float[] torchScores, invertedTorchScores;
        NetworkWeights weights;
        using (var scope = NewDisposeScope())
        {
            torch.manual_seed(3);
            using var model = NetworkBuilder.Build(definition);
            model.eval();
            using var noGrad = no_grad();
            torchScores = nn.functional.softmax(model.forward(tensor(inputs, [rows, 784])), 1).data<float>().ToArray();
            // The same images inverted score the same: the layer turns them back (255 - (255 - x) = x).
            var inverted = inputs.Select(v => 255f - v).ToArray();
            invertedTorchScores = nn.functional.softmax(model.forward(tensor(inverted, [rows, 784])), 1).data<float>().ToArray();
            weights = ModuleWeights.Read(model);
        }

        // Every row, dark or light, scores the same as its inverse: the layer brings both to the same dark-background image.
        for (int i = 0; i < torchScores.Length; i++) Assert.Equal(torchScores[i], invertedTorchScores[i], 5);

        var bytes = OnnxExporter.Export(definition, weights, new OnnxExportOptions());
        using var session = new InferenceSession(bytes);
        var onnx = (OnnxRunner.Output<float>)OnnxRunner.Run(session, "Features", inputs, [rows, 784])["Score"];
        double maxDiff = torchScores.Zip(onnx.Values, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff < 1e-5, $"max |TorchSharp - ONNX| = {maxDiff:E2}");
    }
}
