using MlNetMnist.Networks;

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
        trained.AssertSameProbabilities(inference, weights, Tolerance);
    }

    [Fact]
    public void PaddedFirstConvolutionKeepsTheNormalisation()
    {
        var definition = Architectures.Create(NetworkArchitecture.WideCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        var trained = TrainedNetwork.Create(definition, seed: 37);

        var (inference, weights) = InferenceNetwork.Create(definition, trained.Weights);

        Assert.IsType<NormalizeSpec>(inference.Layers[0]);
        Assert.DoesNotContain(inference.Layers, l => l is BatchNorm2dSpec or DropoutSpec);
        trained.AssertSameProbabilities(inference, weights, Tolerance);
    }

    [Fact]
    public void AutoInvertingNetworkKeepsItsFirstLayersAndScoresTheSame()
    {
        var definition = AutoInvertSpec.Prepend(Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize));
        var trained = TrainedNetwork.Create(definition, seed: 41);

        var (inference, weights) = InferenceNetwork.Create(definition, trained.Weights);

        Assert.IsType<AutoInvertSpec>(inference.Layers[0]);
        Assert.IsType<NormalizeSpec>(inference.Layers[1]);
        trained.AssertSameProbabilities(inference, weights, Tolerance);
    }

    [Fact]
    public void MlpWithoutAnythingToRewriteIsLeftAlone()
    {
        var definition = Architectures.Create(NetworkArchitecture.Mlp, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        Assert.False(InferenceNetwork.Improves(definition));
    }
}
