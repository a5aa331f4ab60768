using MlNetMnist.Images;
using SkiaSharp;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// A fixed, seeded suite of images that are not one handwritten digit, as 28x28 MNIST-style pixel rows
/// (light on dark, centred like the service centres user images, so no position cue is left): random
/// noise, textures, printed capital letters A-Z from the DejaVu fonts (package fonts-dejavu-core, which
/// .ci/run installs), two or three digits side by side, and a digit cut in half.
/// </summary>
public static class NonDigitImages
{
    public static readonly string[] Categories = ["noise", "texture", "letter", "several digits", "half digit"];

    private const string FontFolder = "/usr/share/fonts/truetype/dejavu";

    /// <summary><paramref name="perCategory"/> images of each category, from <paramref name="digits"/> (MNIST pixels, 784 per image) where digits are needed.</summary>
    public static List<(string Category, float[] Pixels)> Create(byte[] digits, int digitCount, int perCategory, int seed)
    {
        var random = new Random(seed);
        var centre = new DigitImagePreprocessor(new DigitPreprocessingOptions { Polarity = InputPolarity.AsIs });
        var faces = Fonts();
        var list = new List<(string, float[])>();
        for (int i = 0; i < perCategory; i++) list.Add(("noise", Noise(random)));
        for (int i = 0; i < perCategory; i++) list.Add(("texture", Texture(random)));
        for (int i = 0; i < perCategory; i++) list.Add(("letter", Letter(random, faces, (char)('A' + i % 26), centre)));
        for (int i = 0; i < perCategory; i++) list.Add(("several digits", SeveralDigits(random, digits, digitCount, centre)));
        for (int i = 0; i < perCategory; i++) list.Add(("half digit", HalfDigit(random, digits, digitCount, centre)));
        return list;
    }

    /// <summary>The DejaVu faces; fails naming the package when they are missing (a test must not pass on blank letters).</summary>
    private static SKTypeface[] Fonts()
    {
        var files = Directory.Exists(FontFolder) ? Directory.GetFiles(FontFolder, "DejaVu*.ttf").Order(StringComparer.Ordinal).ToArray() : [];
        if (files.Length == 0) throw new InvalidOperationException($"No DejaVu fonts in {FontFolder}: install the Debian package fonts-dejavu-core (.ci/run does).");
        return files.Select(SKTypeface.FromFile).ToArray();
    }

    private static float[] Noise(Random r)
    {
        var p = new float[784];
        int kind = r.Next(3);
        double density = 0.05 + r.NextDouble() * 0.6;
        for (int i = 0; i < 784; i++)
            p[i] = kind switch
            {
                0 => (float)(r.NextDouble() * 255),
                1 => r.NextDouble() < density ? 255 : 0,
                _ => (float)Math.Clamp(128 + 60 * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()), 0, 255),
            };
        return p;
    }

    private static float[] Texture(Random r)
    {
        var p = new float[784];
        int kind = r.Next(4);
        double angle = r.NextDouble() * Math.PI, period = 3 + r.NextDouble() * 8, phase = r.NextDouble() * 6.28;
        int cell = 2 + r.Next(6);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                double v = kind switch
                {
                    0 => Math.Sin((x * Math.Cos(angle) + y * Math.Sin(angle)) * 2 * Math.PI / period + phase) > 0 ? 1 : 0,
                    1 => (x / cell + y / cell) % 2,
                    2 => 0.5 + 0.5 * Math.Sin(Math.Sqrt((x - 14) * (x - 14) + (y - 14) * (y - 14)) * 2 * Math.PI / period + phase),
                    _ => x % cell == 0 || y % cell == 0 ? 1 : 0,
                };
                p[y * 28 + x] = (float)(v * 255);
            }
        return p;
    }

    private static float[] Letter(Random r, SKTypeface[] faces, char c, DigitImagePreprocessor centre)
    {
        const int size = 112;
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true, TextSize = 80, Typeface = faces[r.Next(faces.Length)] })
        {
            canvas.Clear(SKColors.Black);
            canvas.Translate(size / 2, size / 2);
            canvas.RotateDegrees((float)(r.NextDouble() * 20 - 10));
            var bounds = new SKRect();
            paint.MeasureText(c.ToString(), ref bounds);
            canvas.DrawText(c.ToString(), -bounds.MidX, -bounds.MidY, paint);
        }
        var gray = new float[size * size];
        var span = bitmap.GetPixelSpan();
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) gray[y * size + x] = span[y * bitmap.RowBytes + x];
        if (gray.Max() < 128) throw new InvalidOperationException($"The letter {c} rendered blank: the font cannot be used.");
        return centre.ProcessGray(gray, size, size);
    }

    private static float[] Digit(byte[] digits, int index) => digits.AsSpan(index * 784, 784).ToArray().Select(b => (float)b).ToArray();

    private static float[] SeveralDigits(Random r, byte[] digits, int count, DigitImagePreprocessor centre)
    {
        int n = 2 + r.Next(2);
        int width = 28 * n - 8 * (n - 1);
        var gray = new float[width * 28];
        for (int k = 0; k < n; k++)
        {
            var digit = Digit(digits, r.Next(count));
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) gray[y * width + k * 20 + x] = Math.Max(gray[y * width + k * 20 + x], digit[y * 28 + x]);
        }
        return centre.ProcessGray(gray, width, 28);
    }

    private static float[] HalfDigit(Random r, byte[] digits, int count, DigitImagePreprocessor centre)
    {
        var digit = Digit(digits, r.Next(count));
        int side = r.Next(4);
        int top = 28, bottom = -1, left = 28, right = -1;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                if (digit[y * 28 + x] > 50)
                {
                    top = Math.Min(top, y);
                    bottom = Math.Max(bottom, y);
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                }
        int middleY = (top + bottom) / 2, middleX = (left + right) / 2;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                bool keep = side switch { 0 => y <= middleY, 1 => y > middleY, 2 => x <= middleX, _ => x > middleX };
                if (!keep) digit[y * 28 + x] = 0;
            }
        return centre.ProcessGray(digit, 28, 28);
    }
}
