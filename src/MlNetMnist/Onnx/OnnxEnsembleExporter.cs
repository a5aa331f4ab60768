using System.Globalization;
using MlNetMnist.Networks;

namespace MlNetMnist.Onnx;

/// <summary>
/// Writes several trained networks (an ensemble) as ONE ONNX model that averages their class
/// probabilities: the input feeds every member, each member ends in its own softmax, and a
/// <c>Mean</c> node gives <c>Score</c> (and <c>ArgMax</c> the predicted index). Member <c>k</c>'s
/// nodes and weights are named with the prefix <c>m{k}.</c>. Same inputs, outputs, layouts and
/// metadata as <see cref="OnnxExporter"/>, so whatever reads a single network's graph (ML.NET's
/// <c>OnnxTransformer</c>, the saved model chain, ONNX Runtime) reads an ensemble the same way. With
/// <see cref="OnnxExportOptions.ImageInput"/> the centring runs once, in front of every member.
/// </summary>
internal static class OnnxEnsembleExporter
{
    /// <summary>Encodes the members as one averaging ONNX model.</summary>
    /// <param name="members">The networks, their weights and the temperature each member's logits are divided by before its softmax (1: none); at least one, all with the same input size and classes.</param>
    /// <param name="options">Layout, names and metadata.</param>
    /// <returns>The serialised <c>ModelProto</c>.</returns>
    /// <exception cref="ArgumentException">No member, or members that disagree on the input size or the classes.</exception>
    public static byte[] Export(IReadOnlyList<(NetworkDefinition Definition, NetworkWeights Weights, float Temperature)> members, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(options);
        if (members.Count == 0) throw new ArgumentException("An ensemble needs at least one member.", nameof(members));
        var first = members[0].Definition;
        foreach (var (definition, _, _) in members)
            if (definition.InputSize != first.InputSize || definition.Classes != first.Classes)
                throw new ArgumentException(
                    $"Ensemble members must share the input and the classes: {first.Name} takes {first.InputSize} values and gives {first.Classes} classes, {definition.Name} takes {definition.InputSize} and gives {definition.Classes}.",
                    nameof(members));

        var graph = new OnnxGraphBuilder();
        graph.Reserve(options.InputName);
        graph.Reserve(options.ScoreName);
        if (options.PredictedIndexName is not null) graph.Reserve(options.PredictedIndexName);

        bool row = options.Layout == OnnxLayout.Row;
        var batch = OnnxDimension.Symbolic("N");
        // Raw pixels, or the image planes centred once for every member.
        string input = OnnxExporter.AddNetworkInput(graph, options, first, batch);

        var softmaxAxis = new[] { OnnxAttribute.Int("axis", -1) };
        var probabilities = new List<string>(members.Count);
        for (int k = 0; k < members.Count; k++)
        {
            var (definition, weights, temperature) = members[k];
            string prefix = string.Create(CultureInfo.InvariantCulture, $"m{k}.");
            var emitter = new OnnxLayerEmitter(graph, weights, prefix);
            string x = input;
            for (int i = 0; i < definition.Layers.Count; i++)
                x = emitter.Emit(i, definition.Layers[i], x);
            x = OnnxCalibrationEmitter.Temperature(graph, x, temperature);
            probabilities.Add(graph.AddNode("Softmax", prefix + "softmax", [x], softmaxAxis));
        }

        // Mean of the members' probabilities ([N, classes]); Mean with one input is the identity.
        if (row)
        {
            string mean = graph.AddNode("Mean", "ensemble_mean", probabilities);
            OnnxExporter.Reshape(graph, "score_to_row", mean, [first.Classes], options.ScoreName);
        }
        else
        {
            graph.AddNode("Mean", "ensemble_mean", probabilities, output: options.ScoreName);
        }
        OnnxExporter.AddScoreOutputs(graph, options, first.Classes, batch);

        string name = string.Create(CultureInfo.InvariantCulture, $"ensemble-{members.Count}");
        string doc = string.Create(CultureInfo.InvariantCulture,
            $"Ensemble of {members.Count} ({string.Join(", ", members.Select(m => m.Definition.Name))}): {OnnxExporter.DescribeInput(options, first)} -> mean of the members' {first.Classes} class probabilities ({options.Layout} layout).");
        var model = new OnnxModel(OnnxExporter.IrVersion, OnnxExporter.OpsetVersion, OnnxExporter.ProducerName, OnnxExporter.ProducerVersion, doc,
            graph.Build(name, doc), OnnxExporter.MetadataOf(options, first),
            graph.ExtraDomains.Select(d => new KeyValuePair<string, long>(d, OnnxSlotNames.DomainVersion(d))).ToArray());
        return model.ToBytes();
    }
}
