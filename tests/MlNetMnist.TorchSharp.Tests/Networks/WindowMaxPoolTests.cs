using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Networks;

public class WindowMaxPoolTests
{
    [Theory]
    [InlineData(2, 24, 24)]
    [InlineData(2, 7, 7)]
    [InlineData(3, 10, 8)]
    [InlineData(1, 5, 5)]
    public void NetworkPoolingEqualsMaxPool2dInBothModes(int kernel, int height, int width)
    {
        var definition = new NetworkDefinition("pool", 3, height, width, 3 * (height / kernel) * (width / kernel),
            [new ReshapeToImageSpec(3, height, width), new MaxPool2dSpec(kernel, kernel), new FlattenSpec()]);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var scope = NewDisposeScope())
        {
            using var network = NetworkBuilder.Build(definition);
            // Distinct values: no ties, so the gradients must match exactly too.
            var input = randperm(4 * definition.InputSize).to(ScalarType.Float32).reshape(4, definition.InputSize).requires_grad_(true);
            var expectedInput = input.detach().clone().requires_grad_(true);
            var expected = nn.functional.max_pool2d(expectedInput.view(4, 3, height, width), kernel, kernel).flatten(1);

            network.train();
            var trained = network.forward(input);
            Assert.True(expected.eq(trained).all().item<bool>(), "pooled values (training) differ from max_pool2d");
            var weights = rand(trained.shape);
            (trained * weights).sum().backward();
            (expected * weights).sum().backward();
            Assert.True(expectedInput.grad!.eq(input.grad!).all().item<bool>(), "gradients differ from max_pool2d");

            network.eval();
            using var mode = inference_mode();
            var inferred = network.forward(input.detach());
            Assert.Equal(expected.shape, inferred.shape);
            Assert.True(expected.detach().eq(inferred).all().item<bool>(), "pooled values (evaluation) differ from max_pool2d");
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
