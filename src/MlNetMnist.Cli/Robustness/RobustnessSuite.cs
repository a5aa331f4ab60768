using System.Globalization;
using MlNetMnist.Data;

namespace MlNetMnist.Cli.Robustness;

/// <summary>One image of the suite: its file and the digit it shows.</summary>
internal sealed record SuiteImage(string Variant, string Path, int Label);

/// <summary>
/// Writes the robustness suite: for each variant, the first <c>count</c> MNIST test digits made into
/// image files (<c>DIR/&lt;variant&gt;/&lt;index&gt;-&lt;label&gt;.png|jpg</c>) with a random source seeded by
/// the seed and the variant, so the same arguments always write the same files. Each folder also gets a
/// <c>labels.csv</c> (<c>file,label</c>).
/// </summary>
internal static class RobustnessSuite
{
    public static IReadOnlyList<SuiteImage> Write(MnistSet test, IReadOnlyList<RobustnessVariant> variants, int count, int seed, string directory)
    {
        count = Math.Min(count, test.Count);
        var images = new List<SuiteImage>();
        foreach (var variant in variants)
        {
            string folder = Path.Combine(directory, variant.Name);
            Directory.CreateDirectory(folder);
            var random = new Random(unchecked(seed * 486187739 + StableHash(variant.Name)));
            var labels = new List<string> { "file,label" };
            for (int i = 0; i < count; i++)
            {
                var digit = InkMap.FromMnist(test.Pixels.AsSpan(i * test.ImageSize, test.ImageSize), test.Columns, test.Rows);
                int label = test.Labels[i];
                string name = string.Create(CultureInfo.InvariantCulture, $"{i:D5}-{label}{variant.Extension}");
                string path = Path.Combine(folder, name);
                File.WriteAllBytes(path, variant.Make(digit, random).Encode(variant.JpegQuality));
                labels.Add(string.Create(CultureInfo.InvariantCulture, $"{name},{label}"));
                images.Add(new SuiteImage(variant.Name, path, label));
            }
            AtomicFile.WriteAllText(Path.Combine(folder, "labels.csv"), string.Join("\n", labels) + "\n");
        }
        return images;
    }

    /// <summary>A hash of <paramref name="text"/> that is the same in every process (string.GetHashCode is randomised).</summary>
    public static int StableHash(string text)
    {
        unchecked
        {
            int hash = (int)2166136261;
            foreach (char c in text) hash = (hash ^ c) * 16777619;
            return hash;
        }
    }
}
