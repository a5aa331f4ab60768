using MlNetMnist.Networks;
using MlNetMnist.Tests.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Networks;

public class InferenceNetworkTests
{
    private const float Tolerance = 1e-5f;

    [Fact]
    public void FastCnnLosesBatchNormAndNormalisationAndPoolsBeforeReluWithTheSameScores()
    {
        var definition = Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        var trained = TrainedNetwork.Create(definition, seed: 31);

        var (inference, weights) = InferenceNetwork.Create(definition, trained.Weights);

        Assert.True(InferenceNetwork.Improves(definition));
        Assert.Equal(
            ["ReshapeToImageSpec", "Conv2dSpec", "MaxPool2dSpec", "ReluSpec", "Conv2dSpec", "MaxPool2dSpec", "ReluSpec", "FlattenSpec", "LinearSpec"],
            inference.Layers.Select(l => l.GetType().Name));
        AssertScoresMatch(trained, inference, weights);
    }

    [Fact]
    public void PaddedFirstConvolutionKeepsTheNormalisation()
    {
        var definition = Architectures.Create(NetworkArchitecture.WideCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        var trained = TrainedNetwork.Create(definition, seed: 37);

        var (inference, weights) = InferenceNetwork.Create(definition, trained.Weights);

        Assert.IsType<NormalizeSpec>(inference.Layers[0]);
        Assert.DoesNotContain(inference.Layers, l => l is BatchNorm2dSpec or DropoutSpec);
        AssertScoresMatch(trained, inference, weights);
    }

    [Fact]
    public void AutoInvertingNetworkKeepsItsFirstLayersAndScoresTheSame()
    {
        var definition = AutoInvertSpec.Prepend(Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize));
        var trained = TrainedNetwork.Create(definition, seed: 41);

        var (inference, weights) = InferenceNetwork.Create(definition, trained.Weights);

        Assert.IsType<AutoInvertSpec>(inference.Layers[0]);
        Assert.IsType<NormalizeSpec>(inference.Layers[1]);
        AssertScoresMatch(trained, inference, weights);
    }

    [Fact]
    public void MlpWithoutAnythingToRewriteIsLeftAlone()
    {
        var definition = Architectures.Create(NetworkArchitecture.Mlp, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        Assert.False(InferenceNetwork.Improves(definition));
    }

    private static void AssertScoresMatch(TrainedNetwork trained, NetworkDefinition inference, NetworkWeights weights)
    {
        using var scope = NewDisposeScope();
        using var module = NetworkBuilder.Build(inference, weights);
        using var mode = inference_mode();
        var inputs = tensor(trained.Inputs, [trained.BatchSize, inference.InputSize]);
        var actual = nn.functional.softmax(module.forward(inputs), 1).contiguous().data<float>().ToArray();
        float maxDifference = trained.Probabilities.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDifference <= Tolerance, $"max |difference| {maxDifference:G3} exceeds {Tolerance:G3}");
    }
}
