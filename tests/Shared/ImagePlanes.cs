using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms.Image;
using MlNetMnist.Data;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// Real-world-looking digit files and what an app does to feed them to a standalone image-input ONNX
/// graph (<c>ExportOnnx(DigitImageInputOptions)</c>): fit each image into the working square keeping its
/// aspect ratio (transparent padding) and take its alpha, red, green and blue planes, with ML.NET's own
/// image transforms (the steps model.zip saves in front of its centring graph), then run the graph.
/// </summary>
internal static class ImagePlanes
{
    /// <summary>
    /// MNIST test digits at native size, each somewhere on its own 56-140 px grey canvas (any aspect),
    /// dark ink on grey paper, written as PNG files into <paramref name="folder"/>.
    /// </summary>
    public static List<(string Path, int Label)> WriteOffCentreGrey(string folder, MnistSet digits, int count, int seed)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var files = new List<(string, int)>(count);
        for (int i = 0; i < count; i++)
        {
            int w = random.Next(56, 141), h = random.Next(56, 141);
            byte paper = (byte)random.Next(140, 211), ink = (byte)random.Next(0, 51);
            int x0 = random.Next(0, w - 27), y0 = random.Next(0, h - 27);
            var canvas = Enumerable.Repeat(paper, w * h).ToArray();
            var digit = digits.Pixels.AsSpan(i * 784, 784);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    double a = digit[y * 28 + x] / 255.0;
                    canvas[(y0 + y) * w + x0 + x] = (byte)Math.Round(paper * (1 - a) + ink * a);
                }
            string path = Path.Combine(folder, $"{i:D4}.png");
            TestImages.Write(path, canvas, w, h);
            files.Add((path, digits.Labels[i]));
        }
        return files;
    }

    /// <summary>The ARGB planes (<c>4 * size * size</c> values, 0-255) of each file fitted into <paramref name="size"/> x <paramref name="size"/>.</summary>
    public static List<float[]> Extract(IEnumerable<string> paths, int size)
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        return ml.Transforms.LoadImages("Image", null, nameof(PathRow.ImagePath))
            .Append(ml.Transforms.ResizeImages("Image", size, size, "Image", ImageResizingEstimator.ResizingKind.IsoPad))
            .Append(ml.Transforms.ExtractPixels("Planes", "Image", ImagePixelExtractingEstimator.ColorBits.All,
                ImagePixelExtractingEstimator.ColorsOrder.ARGB, interleavePixelColors: false))
            .Fit(rows).Transform(rows).GetColumn<float[]>("Planes").ToList();
    }

    /// <summary>Runs the image-input graph on <paramref name="planes"/> in batches; each float output (by name) per image.</summary>
    public static Dictionary<string, List<float[]>> Run(InferenceSession session, string inputName, IReadOnlyList<float[]> planes, int size, int batch = 50)
    {
        int plane = 4 * size * size;
        var outputs = new Dictionary<string, List<float[]>>();
        for (int start = 0; start < planes.Count; start += batch)
        {
            int n = Math.Min(batch, planes.Count - start);
            var values = new float[n * plane];
            for (int i = 0; i < n; i++) planes[start + i].CopyTo(values, i * plane);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(values, [n, 4, size, size]))]);
            foreach (var result in results.Where(r => r.ElementType == TensorElementType.Float))
            {
                var tensor = result.AsTensor<float>();
                int width = (int)(tensor.Length / n);
                var all = tensor.ToArray();
                if (!outputs.TryGetValue(result.Name, out var list)) outputs[result.Name] = list = new List<float[]>(planes.Count);
                for (int i = 0; i < n; i++) list.Add(all.AsSpan(i * width, width).ToArray());
            }
        }
        return outputs;
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
