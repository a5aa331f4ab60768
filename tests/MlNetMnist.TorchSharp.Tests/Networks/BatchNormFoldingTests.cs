using MlNetMnist.Networks;

namespace MlNetMnist.Tests.Networks;

public class BatchNormFoldingTests
{
    private const float Tolerance = 1e-5f;

    [Theory]
    [InlineData(NetworkArchitecture.FastCnn)]
    [InlineData(NetworkArchitecture.WideCnn)]
    public void FoldedNetworkHasNoBatchNormAndScoresLikeTheTrainedOne(NetworkArchitecture architecture)
    {
        var definition = Architectures.Create(architecture, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        var trained = TrainedNetwork.Create(definition, seed: 23);
        Assert.True(BatchNormFolding.CanFold(definition));

        var (folded, weights) = BatchNormFolding.Fold(definition, trained.Weights);

        Assert.DoesNotContain(folded.Layers, l => l is BatchNorm2dSpec or BatchNorm1dSpec or DropoutSpec);
        Assert.All(folded.Layers.OfType<Conv2dSpec>(), c => Assert.True(c.Bias));
        Assert.Equal(definition.Layers.Count(l => l is Conv2dSpec), folded.Layers.Count(l => l is Conv2dSpec));
        Assert.DoesNotContain(weights.Names, n => n.EndsWith(".running_mean", StringComparison.Ordinal));
        trained.AssertSameProbabilities(folded, weights, Tolerance);
    }

    [Fact]
    public void LinearFollowedByBatchNorm1dIsFoldedAndOtherLayersKeepTheirWeights()
    {
        var definition = TrainedNetwork.CustomMlp();
        var trained = TrainedNetwork.Create(definition, seed: 9);

        var (folded, weights) = BatchNormFolding.Fold(definition, trained.Weights);

        Assert.Equal(4, folded.Layers.Count);
        Assert.Equal(new LinearSpec(30, 16, Bias: true), folded.Layers[1]);
        Assert.Equal(trained.Weights["5.weight"].Values, weights["3.weight"].Values);
        Assert.Equal(trained.Weights["5.bias"].Values, weights["3.bias"].Values);
        trained.AssertSameProbabilities(folded, weights, Tolerance);
    }

    [Fact]
    public void NetworkWithoutBatchNormIsNotFoldable()
    {
        Assert.False(BatchNormFolding.CanFold(Architectures.Create(NetworkArchitecture.ClassicCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize)));
        Assert.False(BatchNormFolding.CanFold(Architectures.Create(NetworkArchitecture.Mlp, 1, 28, 28, 10, TrainedNetwork.MnistNormalize)));
    }

    [Fact]
    public void BuildWithWeightsNamesAMissingOrMisshapenTensor()
    {
        var definition = Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        var trained = TrainedNetwork.Create(definition, seed: 3, trainingSteps: 1);
        var (folded, weights) = BatchNormFolding.Fold(definition, trained.Weights);

        string conv = weights.Names.First(n => n.EndsWith(".weight", StringComparison.Ordinal) && weights[n].Shape.Length == 4);
        var missing = new NetworkWeights(weights.Names.Where(n => n != conv).ToDictionary(n => n, n => weights[n]));
        var e = Assert.Throws<ArgumentException>(() => NetworkBuilder.Build(folded, missing));
        Assert.Contains($"'{conv}'", e.Message);

        var reshaped = weights.Names.ToDictionary(n => n, n => weights[n]);
        reshaped[conv] = new WeightTensor([1, 1], [0f]);
        e = Assert.Throws<ArgumentException>(() => NetworkBuilder.Build(folded, new NetworkWeights(reshaped)));
        Assert.Contains($"'{conv}' has shape [1, 1]", e.Message);
    }
}
