using MlNetMnist.Images;
using SkiaSharp;

namespace MlNetMnist.Training;

/// <summary>
/// Makes the non-digit images of <see cref="OutlierExposure"/>: 28x28 raw pixel rows (0-255, light on
/// dark), a fifth each of noise, textures, printed letters and symbols, several digits side by side,
/// and parts of digits. Everything but the plain noise and textures goes through the same MNIST-style
/// preparation the service applies to user images (<see cref="DigitImagePreprocessor"/>), so that no
/// position or size cue tells them from prepared digits. Deterministic for a seed.
/// </summary>
internal sealed class NonDigitSynthesis : IDisposable
{
    private const int Size = OutlierExposure.Size, Pixels = Size * Size;

    /// <summary>What is rendered as "letters": capitals and a few symbols a form field may hold.</summary>
    private const string Glyphs = "ABCDEFGHIJKLMNOPQRSTUVWXYZ#$%&@?!+*=<>/";

    /// <summary>The most font families taken from the system when no files are given.</summary>
    private const int MaxSystemFamilies = 12;

    private readonly float[] _digits;
    private readonly int _digitCount;
    private readonly int _seed;
    private readonly SKTypeface[] _faces;
    private readonly DigitImagePreprocessor _centre = new(new DigitPreprocessingOptions { Polarity = InputPolarity.AsIs });

    /// <param name="digits">Training digits, 784 raw pixels each (MNIST style).</param>
    /// <param name="fontFiles">Font files for the letters; null for the system's fonts.</param>
    /// <param name="seed">The seed of every random choice.</param>
    public NonDigitSynthesis(float[] digits, IReadOnlyList<string>? fontFiles, int seed)
    {
        if (digits.Length < Pixels || digits.Length % Pixels != 0)
            throw new ArgumentException($"Expected whole {Size}x{Size} digits ({Pixels} values each); got {digits.Length} values.", nameof(digits));
        _digits = digits;
        _digitCount = digits.Length / Pixels;
        _seed = seed;
        _faces = fontFiles is null ? SystemFaces() : fontFiles.Select(LoadFont).ToArray();
    }

    /// <summary>The number of font faces letters are rendered from (0: no letters).</summary>
    public int FontCount => _faces.Length;

    /// <summary>The kinds of image made, in the order <see cref="Create"/> cycles through them.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["noise", "texture", "letter", "several digits", "part of a digit"];

    /// <summary>
    /// How often each kind comes in a cycle of ten: noise and textures once each (the ink statistics of the
    /// out-of-distribution score already flag them), letters and parts of digits three times, several digits twice.
    /// </summary>
    private static readonly int[] Cycle = [0, 2, 4, 3, 2, 4, 1, 2, 4, 3];

    /// <summary>
    /// <paramref name="count"/> images, row after row; the kinds in the order of <see cref="Cycle"/> (letters
    /// skipped when there are no fonts). Made in parallel: image i draws from its own generator (seed, i), so
    /// the result does not depend on the number of cores.
    /// </summary>
    public float[] Create(int count)
    {
        var result = new float[count * Pixels];
        var kinds = Cycle.Where(k => k != 2 || _faces.Length > 0).ToArray();
        Parallel.For(0, count, i =>
        {
            var r = new Random(unchecked(_seed * 1_000_003 + i));
            float[] image = kinds[i % kinds.Length] switch
            {
                0 => Noise(r),
                1 => Texture(r),
                2 => Letter(r),
                3 => SeveralDigits(r),
                _ => PartOfDigit(r),
            };
            image.CopyTo(result, i * Pixels);
        });
        return result;
    }

    /// <summary>Uniform, impulse or Gaussian noise, or smooth blobs (noise averaged over a few pixels and thresholded), the blobs centred like a digit.</summary>
    private float[] Noise(Random r)
    {
        var p = new float[Pixels];
        int kind = r.Next(4);
        double density = 0.03 + r.NextDouble() * 0.6;
        for (int i = 0; i < Pixels; i++)
            p[i] = kind switch
            {
                0 => (float)(r.NextDouble() * 255),
                1 or 3 => r.NextDouble() < density ? 255 : 0,
                _ => (float)Math.Clamp(128 + 70 * Gaussian(r), 0, 255),
            };
        if (kind != 3) return p;
        var blurred = BoxBlur(BoxBlur(p));
        float cut = blurred.Max() * (0.4f + 0.3f * (float)r.NextDouble());
        for (int i = 0; i < Pixels; i++) blurred[i] = blurred[i] >= cut ? 255 : 0;
        return blurred.Max() > 0 ? _centre.ProcessGray(blurred, Size, Size) : p;
    }

    /// <summary>Stripes, checks, rings or a grid at a random period, angle and contrast.</summary>
    private static float[] Texture(Random r)
    {
        var p = new float[Pixels];
        int kind = r.Next(4);
        double angle = r.NextDouble() * Math.PI, period = 2.5 + r.NextDouble() * 10, phase = r.NextDouble() * 2 * Math.PI;
        double low = r.NextDouble() * 80, high = 160 + r.NextDouble() * 95;
        int cell = 2 + r.Next(7);
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                double v = kind switch
                {
                    0 => Math.Sin((x * Math.Cos(angle) + y * Math.Sin(angle)) * 2 * Math.PI / period + phase) > 0 ? 1 : 0,
                    1 => (x / cell + y / cell) % 2,
                    2 => 0.5 + 0.5 * Math.Sin(Math.Sqrt((x - 14) * (x - 14) + (y - 14) * (y - 14)) * 2 * Math.PI / period + phase),
                    _ => x % cell == 0 || y % cell == 0 ? 1 : 0,
                };
                p[y * Size + x] = (float)(low + v * (high - low));
            }
        return p;
    }

    /// <summary>A capital letter or symbol from a random face, rotated up to 15 degrees, sometimes with a thicker or thinner stroke.</summary>
    private float[] Letter(Random r)
    {
        const int canvas = 112;
        string glyph = Glyphs[r.Next(Glyphs.Length)].ToString();
        using var bitmap = new SKBitmap(new SKImageInfo(canvas, canvas, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var draw = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true, TextSize = 60 + r.Next(30), Typeface = _faces[r.Next(_faces.Length)] })
        {
            if (r.Next(2) == 0)
            {
                paint.Style = SKPaintStyle.StrokeAndFill;
                paint.StrokeWidth = (float)(1 + r.NextDouble() * 4);
            }
            draw.Clear(SKColors.Black);
            draw.Translate(canvas / 2f, canvas / 2f);
            draw.RotateDegrees((float)(r.NextDouble() * 30 - 15));
            var bounds = new SKRect();
            paint.MeasureText(glyph, ref bounds);
            draw.DrawText(glyph, -bounds.MidX, -bounds.MidY, paint);
        }
        var gray = new float[canvas * canvas];
        var span = bitmap.GetPixelSpan();
        for (int y = 0; y < canvas; y++)
            for (int x = 0; x < canvas; x++) gray[y * canvas + x] = span[y * bitmap.RowBytes + x];
        return gray.Max() < 128 ? Noise(r) : _centre.ProcessGray(gray, canvas, canvas);
    }

    /// <summary>Two or three training digits side by side, overlapping up to 10 pixels or apart up to 4, each shifted up or down up to 4.</summary>
    private float[] SeveralDigits(Random r)
    {
        int n = 2 + r.Next(2);
        int step = 18 + r.Next(15);
        int width = step * (n - 1) + Size, height = Size + 8;
        var gray = new float[width * height];
        for (int k = 0; k < n; k++)
        {
            var digit = Digit(r.Next(_digitCount));
            int dy = 4 + r.Next(-4, 5);
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                {
                    int at = (y + dy) * width + k * step + x;
                    gray[at] = Math.Max(gray[at], digit[y * Size + x]);
                }
        }
        return _centre.ProcessGray(gray, width, height);
    }

    /// <summary>A training digit cut along a random straight line through its box, keeping 30-70% of it on one side.</summary>
    private float[] PartOfDigit(Random r)
    {
        var digit = Digit(r.Next(_digitCount));
        int top = Size, bottom = -1, left = Size, right = -1;
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
                if (digit[y * Size + x] > 50)
                {
                    top = Math.Min(top, y);
                    bottom = Math.Max(bottom, y);
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                }
        if (bottom < 0) return Noise(r);
        // Mostly horizontal or vertical cuts, sometimes at an angle.
        double angle = r.Next(4) * Math.PI / 2 + (r.NextDouble() < 0.3 ? (r.NextDouble() - 0.5) * Math.PI / 2 : 0);
        double nx = Math.Cos(angle), ny = Math.Sin(angle);
        double cx = (left + right) / 2.0, cy = (top + bottom) / 2.0;
        double reach = Math.Abs(nx) * (right - left) / 2.0 + Math.Abs(ny) * (bottom - top) / 2.0;
        double offset = (r.NextDouble() * 0.4 - 0.2) * 2 * reach;
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
                if ((x - cx) * nx + (y - cy) * ny > offset) digit[y * Size + x] = 0;
        return digit.Max() > 50 ? _centre.ProcessGray(digit, Size, Size) : Noise(r);
    }

    private float[] Digit(int index) => _digits.AsSpan(index * Pixels, Pixels).ToArray();

    private static float[] BoxBlur(float[] p)
    {
        var result = new float[Pixels];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                float sum = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy < 0 || yy >= Size || xx < 0 || xx >= Size) continue;
                        sum += p[yy * Size + xx];
                        n++;
                    }
                result[y * Size + x] = sum / n;
            }
        return result;
    }

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static SKTypeface LoadFont(string file)
    {
        if (!File.Exists(file))
            throw new ArgumentException($"OutlierExposure.FontFiles: the font file '{file}' does not exist.");
        var face = SKTypeface.FromFile(file);
        if (face is null || !RendersLetters(face))
            throw new ArgumentException($"OutlierExposure.FontFiles: '{file}' could not be loaded as a font with Latin capitals (expected a TrueType or OpenType file).");
        return face;
    }

    /// <summary>Up to <see cref="MaxSystemFamilies"/> system font families (in name order) whose regular face draws Latin capitals.</summary>
    private static SKTypeface[] SystemFaces()
    {
        var faces = new List<SKTypeface>();
        foreach (string family in SKFontManager.Default.FontFamilies.Distinct().Order(StringComparer.Ordinal))
        {
            if (faces.Count == MaxSystemFamilies) break;
            var face = SKTypeface.FromFamilyName(family);
            if (face is not null && face.FamilyName == family && RendersLetters(face)) faces.Add(face);
            else face?.Dispose();
        }
        return faces.ToArray();
    }

    private static bool RendersLetters(SKTypeface face)
    {
        using var font = new SKFont(face);
        return font.ContainsGlyphs("AZ#");
    }

    public void Dispose()
    {
        foreach (var face in _faces) face.Dispose();
    }
}
