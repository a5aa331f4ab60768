using System.Globalization;
using MlNetMnist.Images;

namespace MlNetMnist.Onnx;

/// <summary>
/// Emits <see cref="MnistCentringSpec"/> as ONNX nodes (opset 17, fixed shapes only) on a batch of images
/// <c>[N, 4, S, S]</c> (alpha, red, green, blue planes, 0-255, premultiplied; the image fitted into S x S
/// keeping its aspect ratio, the padding transparent, as ML.NET's <c>ResizeImages</c> with <c>IsoPad</c>
/// and <c>ExtractPixels</c> give it), giving <c>[N, Height, Width]</c> MNIST-style pixels, the same
/// computation as the C# <see cref="MnistCentring"/>.
/// </summary>
/// <remarks>
/// Every data-dependent step is arithmetic on fixed-size tensors: the image's rectangle inside the
/// padding and the digit's bounding box are <c>ArgMax</c> (first and last) of row and column maxima; the
/// border ring, blurs and the dense region are masks, <c>Conv</c> and <c>MaxPool</c>; cropping, area
/// averaging to the box size and the shift by the centre of mass are products with weight matrices
/// computed from the box (<c>[Box, S]</c> area weights, <c>[Height, Box]</c> shift), so no shape depends
/// on the data and ML.NET's <c>OnnxTransformer</c> can run it.
/// </remarks>
internal sealed class OnnxCentringEmitter
{
    private readonly OnnxGraphBuilder _graph;
    private readonly MnistCentringSpec _spec;
    private readonly int _size;
    private readonly string _p;
    private readonly Dictionary<float, string> _constants = [];

    /// <param name="graph">The graph being built.</param>
    /// <param name="spec">The centring.</param>
    /// <param name="workingSize">S, the side of the square input images.</param>
    /// <param name="prefix">Name prefix of the nodes and constants.</param>
    public OnnxCentringEmitter(OnnxGraphBuilder graph, MnistCentringSpec spec, int workingSize, string prefix = "centre")
    {
        _graph = graph;
        _spec = spec;
        _size = workingSize;
        _p = prefix;
    }

    /// <summary>Adds the nodes; <paramref name="images"/> is <c>[N, 4, S, S]</c>; returns the <c>[N, Height, Width]</c> output.</summary>
    public string Emit(string images)
    {
        int s = _size;
        // Gray, composited over white paper: luma of the premultiplied colour plus the uncovered part.
        string alpha = Plane(images, 0), red = Plane(images, 1), green = Plane(images, 2), blue = Plane(images, 3);
        string luma = Add(Add(Mul(red, F(0.299f)), Mul(green, F(0.587f))), Mul(blue, F(0.114f)));
        string gray = Op("Round", Clip(Add(luma, Sub(F(255f), alpha)), 0f, 255f));

        // The image's rectangle inside the padding: the rows and columns with alpha > 0, when they span
        // the whole square one way (ML.NET's IsoPad); otherwise (transparency of the image itself) the square.
        string covered = Cast(Op("Greater", alpha, F(0f)));
        var (top, bottom) = FirstLast(ReduceMax(covered, 2));
        var (left, right) = FirstLast(ReduceMax(covered, 1));
        float tolerance = 2f;
        string spans = Op("Or",
            Op("And", Op("LessOrEqual", top, F(tolerance)), Op("GreaterOrEqual", bottom, F(s - 1 - tolerance))),
            Op("And", Op("LessOrEqual", left, F(tolerance)), Op("GreaterOrEqual", right, F(s - 1 - tolerance))));
        top = Where(spans, top, F(0f));
        left = Where(spans, left, F(0f));
        bottom = Where(spans, bottom, F(s - 1));
        right = Where(spans, right, F(s - 1));

        string rows = Index("rows", [1, s, 1], s), columns = Index("columns", [1, 1, s], s);
        string inside = Rect(rows, columns, top, bottom, left, right, F(0f));
        string height = Add(Sub(bottom, top), F(1f)), width = Add(Sub(right, left), F(1f));
        string ring = Op("Max", F(1f), Op("Round", Div(Op("Min", height, width), F(14f))));
        string inner = Rect(rows, columns, top, bottom, left, right, ring);
        string border = Cast(Op("And", inside, Op("Not", inner)));
        string borderMean = Div(ReduceSum(Mul(gray, border), [1, 2]), ReduceSum(border, [1, 2]));

        // Polarity, then ink above the background (0 outside the image's rectangle).
        string light = _spec.AutoInvert ? Op("Greater", borderMean, F(MnistCentringSpec.LightBorder)) : Op("Greater", F(0f), F(1f));
        string oriented = Where(light, Sub(F(255f), gray), gray);
        string background = Where(light, Sub(F(255f), borderMean), borderMean);
        string ink = Reshape(Mul(Op("Relu", Sub(oriented, background)), Cast(inside)), [-1, 1, s, s]);

        // Stretch by the strongest blurred ink, then the noise-floor ramp.
        string peak = ReduceMax(Blur(ink, 3), [1, 2, 3]);
        string notBlank = Op("GreaterOrEqual", peak, F(_spec.BlankContrast));
        string gain = Div(F(255f), Op("Max", peak, F(1e-6f)));
        string stretched = Op("Min", Mul(ink, gain), F(255f));
        float low = _spec.NoiseFloor * 255f, range = (_spec.FullInk - _spec.NoiseFloor) * 255f;
        ink = Mul(Clip(Div(Sub(stretched, F(low)), F(range)), 0f, 1f), F(255f));

        // The dense region, widened; then specks, then isolated specks.
        int k = _spec.RegionKernel;
        string density = Blur(ink, k);
        string dense = Cast(Op("Greater", density, Mul(ReduceMax(density, [1, 2, 3]), F(_spec.RegionThreshold))));
        string region = _graph.AddNode("MaxPool", $"{_p}.region", [dense],
        [
            OnnxAttribute.Ints("kernel_shape", k, k), OnnxAttribute.Ints("strides", 1, 1), OnnxAttribute.Ints("pads", k / 2, k / 2, k / 2, k / 2),
        ]);
        ink = Mul(ink, region);
        ink = KeepWhereNeighbourhoodHolds(ink, _spec.SpeckKernel, _spec.SpeckThreshold);
        ink = KeepWhereNeighbourhoodHolds(ink, _spec.IsolationKernel, _spec.IsolationThreshold);

        // The digit's bounding box.
        string boxMask = Reshape(Cast(Op("Greater", Blur(ink, 3), F(_spec.InkThreshold * 255f))), [-1, s, s]);
        string rowInk = ReduceMax(boxMask, 2);
        string hasInk = Reshape(Op("Greater", ReduceMax(rowInk, [1]), F(0f)), [-1, 1, 1]);
        var (boxTop, boxBottom) = FirstLast(rowInk);
        var (boxLeft, boxRight) = FirstLast(ReduceMax(boxMask, 1));
        string boxHeight = Add(Sub(boxBottom, boxTop), F(1f)), boxWidth = Add(Sub(boxRight, boxLeft), F(1f));
        int b = _spec.BoxSize;
        string scale = Div(F(b), Op("Max", boxWidth, boxHeight));
        string scaledHeight = Clip(Op("Round", Mul(boxHeight, scale)), 1f, b);
        string scaledWidth = Clip(Op("Round", Mul(boxWidth, scale)), 1f, b);

        // Crop and area-average to the box size: D = Wy . ink . Wx^T.
        string boxIndex = Index("box", [1, b, 1], b), pixelIndex = Index("pixels", [1, 1, s], s);
        string wy = AreaWeights(boxIndex, pixelIndex, boxTop, Div(boxHeight, scaledHeight), scaledHeight);
        string wx = AreaWeights(boxIndex, pixelIndex, boxLeft, Div(boxWidth, scaledWidth), scaledWidth);
        string digit = MatMul(MatMul(wy, Reshape(ink, [-1, s, s])), Transpose(wx));

        // Centre of mass to the middle by a whole-pixel shift: out = Sy . D . Sx^T.
        string mass = ReduceSum(digit, [1, 2]);
        string boxColumns = Index("box_columns", [1, 1, b], b);
        string my = Div(ReduceSum(Mul(digit, boxIndex), [1, 2]), mass);
        string mx = Div(ReduceSum(Mul(digit, boxColumns), [1, 2]), mass);
        string offsetY = Op("Round", Sub(F(_spec.Height / 2f), my));
        string offsetX = Op("Round", Sub(F(_spec.Width / 2f), mx));
        string sy = Shift(Index("out_rows", [1, _spec.Height, 1], _spec.Height), offsetY, boxColumns);
        string sx = Shift(Index("out_columns", [1, _spec.Width, 1], _spec.Width), offsetX, boxColumns);
        string placed = MatMul(MatMul(sy, digit), Transpose(sx));

        string ok = Op("And", Op("And", Reshape(notBlank, [-1, 1, 1]), hasInk), Op("Greater", mass, F(0f)));
        return Where(ok, placed, F(0f));
    }

    /// <summary>Weights <c>[N, Box, S]</c>: output j of the box covers [start + j*step, start + (j+1)*step) of the input, for j below <paramref name="count"/>.</summary>
    private string AreaWeights(string boxIndex, string pixelIndex, string start, string step, string count)
    {
        string from = Add(start, Mul(boxIndex, step));
        string to = Add(from, step);
        string overlap = Op("Relu", Sub(Op("Min", to, Add(pixelIndex, F(1f))), Op("Max", from, pixelIndex)));
        return Mul(Div(overlap, step), Cast(Op("Less", boxIndex, count)));
    }

    /// <summary>Shift matrix <c>[N, Out, Box]</c>: 1 where <c>out - offset == box index</c>.</summary>
    private string Shift(string outIndex, string offset, string boxColumns) =>
        Cast(Op("Equal", Sub(outIndex, offset), boxColumns));

    /// <summary>True inside the rectangle shrunk by <paramref name="margin"/> on every side (<c>[N, S, S]</c>).</summary>
    private string Rect(string rows, string columns, string top, string bottom, string left, string right, string margin) =>
        Op("And",
            Op("And", Op("GreaterOrEqual", rows, Add(top, margin)), Op("LessOrEqual", rows, Sub(bottom, margin))),
            Op("And", Op("GreaterOrEqual", columns, Add(left, margin)), Op("LessOrEqual", columns, Sub(right, margin))));

    /// <summary>First and last index (as floats <c>[N, 1, 1]</c>) of the maximum of each row of <c>[N, S]</c>.</summary>
    private (string First, string Last) FirstLast(string values)
    {
        string first = _graph.AddNode("ArgMax", $"{_p}.first", [values], [OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 1)]);
        string last = _graph.AddNode("ArgMax", $"{_p}.last", [values],
            [OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 1), OnnxAttribute.Int("select_last_index", 1)]);
        return (Reshape(Cast(first), [-1, 1, 1]), Reshape(Cast(last), [-1, 1, 1]));
    }

    private string Plane(string images, int channel)
    {
        string index = _graph.AddInitializer($"{_p}.channel{channel}", n => OnnxTensor.Int64(n, [], [channel]));
        return _graph.AddNode("Gather", $"{_p}.plane", [images, index], [OnnxAttribute.Int("axis", 1)]);
    }

    /// <summary><paramref name="ink"/> with paper (0) wherever its <paramref name="size"/> x <paramref name="size"/> box blur is not above <paramref name="fraction"/> of full ink.</summary>
    private string KeepWhereNeighbourhoodHolds(string ink, int size, float fraction) =>
        Where(Op("Greater", Blur(ink, size), F(fraction * 255f)), ink, F(0f));

    /// <summary>Mean over <paramref name="size"/> x <paramref name="size"/> neighbourhoods of <c>[N, 1, S, S]</c>, zero-padded.</summary>
    private string Blur(string input, int size)
    {
        var weights = Enumerable.Repeat(1f / (size * size), size * size).ToArray();
        string kernel = _graph.AddInitializer($"{_p}.box{size}", n => OnnxTensor.Float(n, [1, 1, size, size], weights));
        int pad = size / 2;
        return _graph.AddNode("Conv", $"{_p}.blur{size}", [input, kernel],
            [OnnxAttribute.Ints("kernel_shape", size, size), OnnxAttribute.Ints("pads", pad, pad, pad, pad)]);
    }

    private string Index(string name, long[] shape, int count)
    {
        var values = Enumerable.Range(0, count).Select(i => (float)i).ToArray();
        return _graph.AddInitializer($"{_p}.{name}", n => OnnxTensor.Float(n, shape, values));
    }

    private string F(float value)
    {
        if (!_constants.TryGetValue(value, out string? name))
        {
            name = _graph.AddInitializer($"{_p}.c{value.ToString("R", CultureInfo.InvariantCulture)}", n => OnnxTensor.Float(n, [], [value]));
            _constants[value] = name;
        }
        return name;
    }

    private string Op(string op, params string[] inputs) => _graph.AddNode(op, $"{_p}.{op.ToLowerInvariant()}", inputs);

    private string Add(string a, string b) => Op("Add", a, b);

    private string Sub(string a, string b) => Op("Sub", a, b);

    private string Mul(string a, string b) => Op("Mul", a, b);

    private string Div(string a, string b) => Op("Div", a, b);

    private string MatMul(string a, string b) => Op("MatMul", a, b);

    private string Where(string condition, string a, string b) => Op("Where", condition, a, b);

    private string Clip(string x, float min, float max) => Op("Clip", x, F(min), F(max));

    private string Cast(string x) => _graph.AddNode("Cast", $"{_p}.cast", [x], [OnnxAttribute.Int("to", (long)OnnxElementType.Float)]);

    private string Transpose(string x) => _graph.AddNode("Transpose", $"{_p}.transpose", [x], [OnnxAttribute.Ints("perm", 0, 2, 1)]);

    private string Reshape(string x, long[] shape)
    {
        string name = _graph.AddInitializer($"{_p}.shape", n => OnnxTensor.Int64(n, [shape.Length], shape));
        return _graph.AddNode("Reshape", $"{_p}.reshape", [x, name]);
    }

    /// <summary>Maximum over one axis, that axis dropped (opset 17: axes is an attribute).</summary>
    private string ReduceMax(string x, int axis) =>
        _graph.AddNode("ReduceMax", $"{_p}.reduce_max", [x], [OnnxAttribute.Ints("axes", axis), OnnxAttribute.Int("keepdims", 0)]);

    /// <summary>Maximum over <paramref name="axes"/>, kept as size-1 dimensions.</summary>
    private string ReduceMax(string x, long[] axes) =>
        _graph.AddNode("ReduceMax", $"{_p}.reduce_max", [x], [OnnxAttribute.Ints("axes", axes), OnnxAttribute.Int("keepdims", 1)]);

    /// <summary>Sum over <paramref name="axes"/>, kept (opset 13+: axes is an input).</summary>
    private string ReduceSum(string x, long[] axes)
    {
        string name = _graph.AddInitializer($"{_p}.axes", n => OnnxTensor.Int64(n, [axes.Length], axes));
        return _graph.AddNode("ReduceSum", $"{_p}.reduce_sum", [x, name], [OnnxAttribute.Int("keepdims", 1)]);
    }
}
