using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// A network after a few SGD steps on random data (so batch-norm running statistics are not the
/// defaults), with a batch of random raw-pixel inputs and TorchSharp's eval-mode softmax output for them.
/// </summary>
internal sealed record TrainedNetwork(NetworkDefinition Definition, NetworkWeights Weights, int BatchSize, float[] Inputs, float[] Probabilities)
{
    public static readonly NormalizeSpec MnistNormalize = NormalizeSpec.ForPixels(0.1307f, 0.3081f);

    /// <summary>A small MLP with a bias-less linear layer, a batch norm 1d (eps 1e-3) and dropout, on 6x5 inputs.</summary>
    public static NetworkDefinition CustomMlp() => new("custom-mlp", 1, 6, 5, 3,
    [
        MnistNormalize,
        new LinearSpec(30, 16, Bias: false),
        new BatchNorm1dSpec(16, Epsilon: 1e-3),
        new ReluSpec(),
        new DropoutSpec(0.3),
        new LinearSpec(16, 3),
    ]);

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

        return new TrainedNetwork(definition, ModuleWeights.Read(model), batchSize,
            inputs.contiguous().data<float>().ToArray(), probabilities.contiguous().data<float>().ToArray());
    }

    /// <summary>
    /// Fails unless the network <paramref name="definition"/> with <paramref name="weights"/> (for
    /// example a rewritten form of this one) gives these probabilities for these inputs, within
    /// <paramref name="tolerance"/>.
    /// </summary>
    public void AssertSameProbabilities(NetworkDefinition definition, NetworkWeights weights, float tolerance)
    {
        using var scope = NewDisposeScope();
        using var module = NetworkBuilder.Build(definition, weights);
        using var mode = inference_mode();
        var inputs = tensor(Inputs, [BatchSize, definition.InputSize]);
        var actual = nn.functional.softmax(module.forward(inputs), 1).contiguous().data<float>().ToArray();
        float maxDifference = Probabilities.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Xunit.Assert.True(maxDifference <= tolerance, $"max |difference| {maxDifference:G3} exceeds {tolerance:G3}");
    }

    /// <summary>Row <paramref name="row"/> of the inputs.</summary>
    public float[] InputRow(int row) => Inputs.AsSpan(row * Definition.InputSize, Definition.InputSize).ToArray();

    /// <summary>Row <paramref name="row"/> of the expected probabilities.</summary>
    public float[] ProbabilityRow(int row) => Probabilities.AsSpan(row * Definition.Classes, Definition.Classes).ToArray();
}
