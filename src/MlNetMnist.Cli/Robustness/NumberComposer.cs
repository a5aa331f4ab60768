using MlNetMnist.Data;

namespace MlNetMnist.Cli.Robustness;

/// <summary>A composed number: the image and the digits it shows.</summary>
internal sealed record ComposedNumber(string Digits, Canvas Image);

/// <summary>
/// Composes rows of handwritten digits from MNIST digits (the test set, or the validation split): 3-8 digits, each cropped to its ink,
/// scaled by 0.85-1.3, on a common baseline with up to +-3 px of jitter, dark ink on light paper.
/// Separated numbers leave 3-12 px between neighbouring digits; in touching numbers one random pair of
/// neighbours is placed 1-5 px into each other (so their boxes overlap and their strokes usually touch).
/// </summary>
internal static class NumberComposer
{
    public static ComposedNumber Compose(MnistSet source, Random random, bool touching)
    {
        int count = random.Next(3, 9);
        var digits = new List<(InkMap Ink, int Label)>();
        for (int i = 0; i < count; i++)
        {
            int index = random.Next(source.Count);
            var ink = InkMap.FromMnist(source.Pixels.AsSpan(index * source.ImageSize, source.ImageSize), source.Columns, source.Rows);
            var (x, y, w, h) = ink.TightBox();
            double scale = 0.85 + random.NextDouble() * 0.45;
            var scaled = ink.Crop(x, y, w, h).Resize(Math.Max(1, (int)Math.Round(w * scale)), Math.Max(1, (int)Math.Round(h * scale)));
            digits.Add((scaled, source.Labels[index]));
        }
        var gaps = Enumerable.Range(0, count - 1).Select(_ => random.Next(3, 13)).ToArray();
        if (touching) gaps[random.Next(gaps.Length)] = -random.Next(1, 6);

        int margin = random.Next(8, 21), jitter = 3;
        int width = 2 * margin + digits.Sum(d => d.Ink.Width) + gaps.Sum();
        int tallest = digits.Max(d => d.Ink.Height);
        int height = 2 * margin + tallest + 2 * jitter;
        float paper = random.Next(220, 256), inkLevel = random.Next(0, 51);
        var canvas = new Canvas(width, height, (paper, paper, paper));
        int left = margin, baseline = margin + jitter + tallest;
        for (int i = 0; i < count; i++)
        {
            var ink = digits[i].Ink;
            canvas.Stamp(ink, left, baseline - ink.Height + random.Next(-jitter, jitter + 1), (inkLevel, inkLevel, inkLevel));
            left += ink.Width + (i < gaps.Length ? gaps[i] : 0);
        }
        return new ComposedNumber(string.Concat(digits.Select(d => d.Label)), canvas);
    }
}
