using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Networks;

/// <remarks>Serial: the comparison seeds TorchSharp's global generator and draws from it.</remarks>
[Collection(ReliabilityCollection.Name)]
public class NetworkBuilderTests
{
    [Fact]
    public void ConvolutionWithBiasStartsLikeTorchSharpsOwnAndLeavesNoTensorBehind()
    {
        var definition = new NetworkDefinition("conv", 3, 8, 8, 4 * 6 * 6, [new ReshapeToImageSpec(3, 8, 8), new Conv2dSpec(3, 4, 3), new FlattenSpec()]);
        long before = Probes.LiveTensors;
        NetworkWeights ours;
        torch.manual_seed(11);
        using (var network = NetworkBuilder.Build(definition))
            ours = ModuleWeights.Read(network);
        Assert.Equal(before, Probes.LiveTensors);

        torch.manual_seed(11);
        using var reference = nn.Conv2d(3, 4, 3, bias: true);
        Assert.Equal(reference.weight!.data<float>().ToArray(), ours["1.weight"].Values);
        Assert.Equal(reference.bias!.data<float>().ToArray(), ours["1.bias"].Values);
    }
}
