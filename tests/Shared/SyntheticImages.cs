using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// Small, easily learnt labelled images of any shape, for tests that are about shapes, channels and
/// ML.NET plumbing rather than digits: raw values 0-255, channel planes of row-major pixels. Class
/// <c>k</c> has a bright patch in region <c>k</c> (grayscale: a vertical strip of the image; colour:
/// channel <c>k</c>), on noise. Deterministic for a seed.
/// </summary>
internal static class SyntheticImages
{
    /// <summary><paramref name="count"/> images of <paramref name="channels"/> x <paramref name="height"/> x <paramref name="width"/> and their class (0-based, cycling).</summary>
    public static (float[][] Pixels, uint[] Classes) Create(int count, int channels, int height, int width, int classes, int seed = 1)
    {
        var random = new Random(seed);
        var pixels = new float[count][];
        var labels = new uint[count];
        int plane = height * width;
        for (int n = 0; n < count; n++)
        {
            int k = n % classes;
            var image = new float[channels * plane];
            for (int i = 0; i < image.Length; i++) image[i] = random.Next(0, 60);
            if (channels == 1)
            {
                int stripWidth = Math.Max(1, width / classes);
                for (int y = 0; y < height; y++)
                    for (int x = k * stripWidth; x < Math.Min(width, (k + 1) * stripWidth); x++)
                        image[y * width + x] = random.Next(180, 256);
            }
            else
            {
                // A bright square of about half the side at a random place, in channel k only.
                int side = Math.Max(1, Math.Min(height, width) / 2);
                int top = random.Next(0, height - side + 1), left = random.Next(0, width - side + 1);
                for (int y = top; y < top + side; y++)
                    for (int x = left; x < left + side; x++)
                        image[(k % channels) * plane + y * width + x] = random.Next(180, 256);
            }
            pixels[n] = image;
            labels[n] = (uint)k;
        }
        return (pixels, labels);
    }

    /// <summary>The images as a view with <c>Label</c> (UInt32, not keyed) and <c>Features</c> of type <paramref name="featureType"/>.</summary>
    public static IDataView ToDataView(MLContext ml, float[][] pixels, uint[] labels, VectorDataViewType featureType,
        string featureColumnName = "Features", string labelColumnName = "Label")
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = featureType;
        schema[nameof(Row.Features)].ColumnName = featureColumnName;
        schema[nameof(Row.Label)].ColumnName = labelColumnName;
        return ml.Data.LoadFromEnumerable(pixels.Zip(labels, (p, l) => new Row { Features = p, Label = l }).ToArray(), schema);
    }

    /// <summary>One image row.</summary>
    public sealed class Row
    {
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }
}
