namespace MlNetMnist.Cli.Robustness;

/// <summary>
/// One way of turning an MNIST test digit into a real-world-looking image file.
/// </summary>
/// <param name="Name">Short name (also the folder the files are written to).</param>
/// <param name="Description">What the variant does, for the table.</param>
/// <param name="Make">Makes the image from the digit (light ink on black, 28x28 coverage) and a random source.</param>
/// <param name="JpegQuality">JPEG quality, or null for PNG.</param>
internal sealed record RobustnessVariant(string Name, string Description, Func<InkMap, Random, Canvas> Make, int? JpegQuality = null)
{
    /// <summary>The file extension of the variant's images.</summary>
    public string Extension => JpegQuality is null ? ".png" : ".jpg";

    /// <summary>Every variant, in table order.</summary>
    public static IReadOnlyList<RobustnessVariant> All { get; } =
    [
        new("mnist", "the test digit as it is: 28x28, light on dark", (d, _) => Alone(d, Gray(0), Gray(255))),
        new("inverted", "28x28, black ink on white", (d, _) => Alone(d, Gray(255), Gray(0))),
        new("off-centre-grey", "28x28 digit anywhere on a 56-140 px canvas (any aspect), dark ink on grey paper (140-210)", (d, r) => OffCentre(d, r, Gray(r.Next(140, 211)), Gray(r.Next(0, 51)))),
        new("off-centre-dark", "28x28 digit anywhere on a 56-140 px canvas, light ink (200-255) on dark paper (0-60)", (d, r) => OffCentre(d, r, Gray(r.Next(0, 61)), Gray(r.Next(200, 256)))),
        new("light-paper-large", "digit scaled 2-4x on a canvas up to 1.6x larger, dark ink on near-white paper (225-255)", (d, r) => Placed(d, r, r.NextDouble() * 2 + 2, 1.6, Gray(r.Next(225, 256)), Gray(r.Next(0, 61)))),
        new("small-on-large", "28x28 digit anywhere on a 160-224 px white canvas", (d, r) => Placed(d, r, 1, 160.0 / 28, Gray(255), Gray(0), maxCanvas: 224)),
        new("textured", "off-centre on grey paper with a smooth texture of +-25 grey levels", (d, r) => Textured(d, r)),
        new("jpeg-q90", "off-centre-grey, saved as JPEG quality 90", (d, r) => OffCentre(d, r, Gray(r.Next(140, 211)), Gray(r.Next(0, 51))), 90),
        new("jpeg-q50", "off-centre-grey, saved as JPEG quality 50", (d, r) => OffCentre(d, r, Gray(r.Next(140, 211)), Gray(r.Next(0, 51))), 50),
        new("jpeg-q20", "off-centre-grey, saved as JPEG quality 20", (d, r) => OffCentre(d, r, Gray(r.Next(140, 211)), Gray(r.Next(0, 51))), 20),
        new("scale-0.5x", "the 28x28 image shrunk to 14x14", (d, _) => Alone(d.Resize(14, 14), Gray(0), Gray(255))),
        new("scale-2x", "enlarged to 56x56", (d, _) => Alone(d.Resize(56, 56), Gray(0), Gray(255))),
        new("scale-4x", "enlarged to 112x112", (d, _) => Alone(d.Resize(112, 112), Gray(0), Gray(255))),
        new("scale-8x", "enlarged to 224x224, black on white", (d, _) => Alone(d.Resize(224, 224), Gray(255), Gray(0))),
        new("thick", "strokes dilated by 1 px each side (at 28x28), black on white", (d, _) => Alone(Stroke(d, 4), Gray(255), Gray(0))),
        new("thin", "strokes eroded by 0.5 px each side (at 28x28), black on white", (d, _) => Alone(Stroke(d, -2), Gray(255), Gray(0))),
        new("rotated-10", "rotated by up to +-10 degrees, black on white", (d, r) => Alone(Rotated(d, r.NextDouble() * 20 - 10), Gray(255), Gray(0))),
        new("rotated-20", "rotated by 10-20 degrees either way, black on white", (d, r) => Alone(Rotated(d, (r.NextDouble() * 10 + 10) * (r.Next(2) == 0 ? -1 : 1)), Gray(255), Gray(0))),
        new("noise", "off-centre-grey with Gaussian noise (sigma 25 grey levels)", (d, r) => Noisy(OffCentre(d, r, Gray(r.Next(140, 211)), Gray(r.Next(0, 51))), c => c.AddGaussianNoise(r, 25))),
        new("salt-and-pepper", "off-centre-grey with 2% of the pixels set to black or white", (d, r) => Noisy(OffCentre(d, r, Gray(r.Next(140, 211)), Gray(r.Next(0, 51))), c => c.AddSaltAndPepper(r, 0.02))),
        new("colour", "off-centre, coloured ink on coloured paper (luma contrast >= 100)", (d, r) => Colour(d, r)),
    ];

    private static (float R, float G, float B) Gray(float v) => (v, v, v);

    private static Canvas Alone(InkMap digit, (float, float, float) paper, (float, float, float) ink)
    {
        var canvas = new Canvas(digit.Width, digit.Height, paper);
        canvas.Stamp(digit, 0, 0, ink);
        return canvas;
    }

    private static Canvas OffCentre(InkMap digit, Random r, (float, float, float) paper, (float, float, float) ink)
    {
        var canvas = new Canvas(r.Next(56, 141), r.Next(56, 141), paper);
        canvas.Stamp(digit, r.Next(0, canvas.Width - digit.Width + 1), r.Next(0, canvas.Height - digit.Height + 1), ink);
        return canvas;
    }

    /// <summary>The digit scaled by <paramref name="scale"/> on a canvas 1 to <paramref name="canvasFactor"/> times its size (each side drawn separately).</summary>
    private static Canvas Placed(InkMap digit, Random r, double scale, double canvasFactor, (float, float, float) paper, (float, float, float) ink, int? maxCanvas = null)
    {
        int size = (int)Math.Round(digit.Width * scale);
        var scaled = digit.Resize(size, size);
        int Side() => Math.Min(maxCanvas ?? int.MaxValue, (int)Math.Round(size * (1 + r.NextDouble() * (canvasFactor - 1))));
        var canvas = new Canvas(Math.Max(size, Side()), Math.Max(size, Side()), paper);
        canvas.Stamp(scaled, r.Next(0, canvas.Width - size + 1), r.Next(0, canvas.Height - size + 1), ink);
        return canvas;
    }

    private static Canvas Textured(InkMap digit, Random r)
    {
        var canvas = new Canvas(r.Next(56, 141), r.Next(56, 141), Gray(r.Next(150, 201)));
        canvas.AddTexture(r, 25);
        canvas.Stamp(digit, r.Next(0, canvas.Width - digit.Width + 1), r.Next(0, canvas.Height - digit.Height + 1), Gray(r.Next(0, 41)));
        return canvas;
    }

    private static Canvas Noisy(Canvas canvas, Action<Canvas> noise)
    {
        noise(canvas);
        return canvas;
    }

    /// <summary>Stroke thickness changed by <paramref name="radius"/> pixels at 4x (positive: thicker), back at 28x28.</summary>
    private static InkMap Stroke(InkMap digit, int radius) =>
        digit.Resize(digit.Width * 4, digit.Height * 4).Morph(radius).Resize(digit.Width, digit.Height);

    private static InkMap Rotated(InkMap digit, double degrees) =>
        digit.Resize(digit.Width * 4, digit.Height * 4).Rotate(degrees).Resize(digit.Width, digit.Height);

    private static Canvas Colour(InkMap digit, Random r)
    {
        while (true)
        {
            (float R, float G, float B) paper = (r.Next(120, 256), r.Next(120, 256), r.Next(120, 256));
            (float R, float G, float B) ink = (r.Next(0, 140), r.Next(0, 140), r.Next(0, 140));
            if (Luma(paper) - Luma(ink) < 100) continue;
            return OffCentre(digit, r, paper, ink);
        }

        static float Luma((float R, float G, float B) c) => 0.299f * c.R + 0.587f * c.G + 0.114f * c.B;
    }
}
