using Microsoft.ML.OnnxRuntime;
using MlNetMnist.Calibration;
using MlNetMnist.Networks;
using MlNetMnist.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Onnx;

/// <summary>
/// The out-of-distribution score inside the exported graph (built from few, fused nodes so that a model
/// loaded from model.zip pays little for it per row) against its plain managed definition
/// (<see cref="OutOfDistributionStatistics"/> + <see cref="OutOfDistributionCalibration.Score"/>), on rows
/// that drive each statistic to its edges: no ink, ink everywhere, mid-grey, single pixels, ink in one
/// half, noise; with and without the network's polarity step, in both layouts, and on a three-channel
/// non-square input.
/// </summary>
public class OutOfDistributionGraphTests
{
    /// <summary>Statistics: energy, border, midtones, spread, mass, doubt (non-zero centres on the two-sided ones).</summary>
    private static readonly OutputCalibration Calibration = new(1.7f, new OutOfDistributionCalibration(
        Centers: [0f, 0f, 0f, 0.15f, 4.2f, 0f],
        Thresholds: [-4f, 0.08f, 0.3f, 0.6f, 0.9f, 0.4f],
        Scales: [2.5f, 0.05f, 0.12f, 0.3f, 0.45f, 0.2f],
        FlagRate: 0.01, CalibrationRows: 1000));

    public static TheoryData<string> Networks => new() { "mnist", "mnist-auto-invert", "rgb-20x24" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void TheGraphComputesTheManagedScoreOnEdgeRowsInBothLayouts(string network)
    {
        var definition = network switch
        {
            "mnist" => Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize),
            "mnist-auto-invert" => AutoInvertSpec.Prepend(Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, TrainedNetwork.MnistNormalize)),
            _ => Architectures.Create(NetworkArchitecture.FastCnn, 3, 20, 24, 4, NormalizeSpec.ForPixels(0.5f, 0.25f)),
        };
        var trained = TrainedNetwork.Create(definition, seed: 11);
        var rows = EdgeRows(definition.InputSize, definition.Width, trained);
        var expected = rows.Select(r => ManagedScore(trained, r)).ToList();

        var options = new OnnxExportOptions { Calibration = Calibration };
        using (var batch = new InferenceSession(OnnxExporter.Export(definition, trained.Weights, options)))
        {
            var outputs = OnnxRunner.Run(batch, "Features", rows.SelectMany(r => r).ToArray(), [rows.Count, definition.InputSize]);
            var ood = (OnnxRunner.Output<float>)outputs[DefaultColumnNames.OutOfDistributionScore];
            Assert.Equal([rows.Count, OutOfDistributionStatistics.Count + 1], ood.Dimensions);
            for (int i = 0; i < rows.Count; i++)
                AssertClose(expected[i], ood.Values.AsSpan(i * (OutOfDistributionStatistics.Count + 1), OutOfDistributionStatistics.Count + 1), $"batch row {i}");
        }

        options.Layout = OnnxLayout.Row;
        using var row = new InferenceSession(OnnxExporter.Export(definition, trained.Weights, options));
        for (int i = 0; i < rows.Count; i++)
        {
            var ood = (OnnxRunner.Output<float>)OnnxRunner.Run(row, "Features", rows[i], [definition.InputSize])[DefaultColumnNames.OutOfDistributionScore];
            Assert.Equal([OutOfDistributionStatistics.Count + 1], ood.Dimensions);
            AssertClose(expected[i], ood.Values, $"row {i}");
        }
    }

    /// <summary>Rows that push the statistics to their edges, then the network's own random inputs.</summary>
    private static List<float[]> EdgeRows(int size, int width, TrainedNetwork trained)
    {
        var random = new Random(3);
        var rows = new List<float[]>
        {
            new float[size],
            Enumerable.Repeat(255f, size).ToArray(),
            Enumerable.Repeat(128f, size).ToArray(),
            Enumerable.Range(0, size).Select(i => (float)(i * 255.0 / (size - 1))).ToArray(),
            Enumerable.Range(0, size).Select(i => i == size / 2 ? 255f : 0f).ToArray(),
            Enumerable.Range(0, size).Select(i => i == 0 ? 40.5f : 0f).ToArray(),
            Enumerable.Range(0, size).Select(i => i % width < width / 2 ? 0f : 250f).ToArray(),
            Enumerable.Range(0, size).Select(i => (i / width % 3) switch { 0 => 215f, 1 => 40f, _ => 0f }).ToArray(),
            Enumerable.Range(0, size).Select(_ => random.NextDouble() < 0.03 ? 255f : 0f).ToArray(),
            Enumerable.Range(0, size).Select(_ => (float)(random.NextDouble() * 255)).ToArray(),
        };
        for (int i = 0; i < 4; i++) rows.Add(trained.InputRow(i));
        return rows;
    }

    /// <summary>The score and normalised statistics as the managed code computes them, from TorchSharp's logits.</summary>
    private static float[] ManagedScore(TrainedNetwork trained, float[] pixels)
    {
        var definition = trained.Definition;
        float[] logits;
        using (var scope = NewDisposeScope())
        using (var module = NetworkBuilder.Build(definition, trained.Weights))
        using (var mode = inference_mode())
            logits = module.forward(tensor(pixels, [1, definition.InputSize])).contiguous().data<float>().ToArray();
        var raw = new float[OutOfDistributionStatistics.Count];
        OutOfDistributionStatistics.Compute(definition, pixels, logits, Calibration.Temperature, raw);
        var result = new float[OutOfDistributionStatistics.Count + 1];
        result[0] = Calibration.OutOfDistribution!.Score(raw, result.AsSpan(1));
        return result;
    }

    private static void AssertClose(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 2e-4 * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what}, slot {i} ({(i == 0 ? "score" : OutOfDistributionStatistics.Names[i - 1])}): graph {actual[i]}, managed {expected[i]}");
        }
    }
}
