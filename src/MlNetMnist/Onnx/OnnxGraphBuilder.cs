namespace MlNetMnist.Onnx;

/// <summary>
/// Collects the nodes, initializers, inputs and outputs of a graph, and keeps value names (inputs,
/// outputs, initializers, intermediate results) and node names unique.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _valueNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];

    /// <summary>Claims a value name that must be used verbatim (a graph input or output).</summary>
    /// <exception cref="ArgumentException">The name is empty or already used.</exception>
    public void Reserve(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("ONNX input and output names must not be empty.");
        if (!_valueNames.Add(name)) throw new ArgumentException($"The ONNX name '{name}' is used twice.");
    }

    /// <summary>Adds a graph input (its name must have been reserved).</summary>
    public void AddInput(OnnxValueInfo input)
    {
        RequireReserved(input.Name);
        _inputs.Add(input);
    }

    /// <summary>Adds a graph output (its name must have been reserved and produced by a node).</summary>
    public void AddOutput(OnnxValueInfo output)
    {
        RequireReserved(output.Name);
        if (!_nodes.Any(n => n.Outputs.Contains(output.Name)))
            throw new InvalidOperationException($"No node produces the graph output '{output.Name}'.");
        _outputs.Add(output);
    }

    /// <summary>Adds a constant tensor made by <paramref name="tensor"/> from its final name; returns that name (<paramref name="name"/> when free).</summary>
    public string AddInitializer(string name, Func<string, OnnxTensor> tensor)
    {
        string unique = Claim(name, _valueNames);
        _initializers.Add(tensor(unique));
        return unique;
    }

    /// <summary>
    /// Adds a node named <paramref name="name"/> (made unique). Its single output is
    /// <paramref name="output"/> when given (a reserved name), else a new value named like the node.
    /// Returns the output name.
    /// </summary>
    public string AddNode(string opType, string name, IReadOnlyList<string> inputs, IReadOnlyList<OnnxAttribute>? attributes = null, string? output = null, string domain = "")
    {
        string nodeName = Claim(name, _nodeNames);
        if (output is null) output = Claim(nodeName, _valueNames);
        else RequireReserved(output);
        _nodes.Add(new OnnxNode(opType, nodeName, inputs, [output], attributes ?? [], domain));
        return output;
    }

    /// <summary>The operator domains other than the default that the nodes use.</summary>
    public IReadOnlyList<string> ExtraDomains => _nodes.Select(n => n.Domain).Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The finished graph.</summary>
    public OnnxGraph Build(string name, string docString) => new(name, docString, [.. _nodes], [.. _initializers], [.. _inputs], [.. _outputs]);

    private void RequireReserved(string name)
    {
        if (!_valueNames.Contains(name)) throw new InvalidOperationException($"The name '{name}' was not reserved.");
    }

    private static string Claim(string name, HashSet<string> used)
    {
        string candidate = name;
        for (int suffix = 1; !used.Add(candidate); suffix++)
            candidate = $"{name}_{suffix}";
        return candidate;
    }
}
