using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Onnx;

/// <summary>
/// A network after a few SGD steps on random data (so batch-norm running statistics are not the
/// defaults), with a batch of random raw-pixel inputs and TorchSharp's eval-mode softmax output for them.
/// </summary>
internal sealed record TrainedNetwork(NetworkDefinition Definition, NetworkWeights Weights, int BatchSize, float[] Inputs, float[] Probabilities)
{
    public static readonly NormalizeSpec MnistNormalize = NormalizeSpec.ForPixels(0.1307f, 0.3081f);

    public static TrainedNetwork Create(NetworkDefinition definition, int seed = 1, int batchSize = 16, int trainingSteps = 3)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(seed);
        using var model = NetworkBuilder.Build(definition);
        using var optimizer = optim.SGD(model.parameters(), 0.01);

        model.train();
        for (int step = 0; step < trainingSteps; step++)
        {
            var x = rand(batchSize, definition.InputSize) * 255;
            var y = randint(0, definition.Classes, [batchSize]);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
        }

        model.eval();
        var inputs = rand(batchSize, definition.InputSize) * 255;
        Tensor probabilities;
        using (no_grad())
            probabilities = nn.functional.softmax(model.forward(inputs), 1);

        return new TrainedNetwork(definition, NetworkWeights.From(model), batchSize,
            inputs.contiguous().data<float>().ToArray(), probabilities.contiguous().data<float>().ToArray());
    }

    /// <summary>Row <paramref name="row"/> of the inputs.</summary>
    public float[] InputRow(int row) => Inputs.AsSpan(row * Definition.InputSize, Definition.InputSize).ToArray();

    /// <summary>Row <paramref name="row"/> of the expected probabilities.</summary>
    public float[] ProbabilityRow(int row) => Probabilities.AsSpan(row * Definition.Classes, Definition.Classes).ToArray();
}
