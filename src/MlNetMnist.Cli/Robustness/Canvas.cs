using System.Runtime.InteropServices;
using SkiaSharp;

namespace MlNetMnist.Cli.Robustness;

/// <summary>An RGB canvas (0-255 floats per channel) that ink is laid on, written as PNG or JPEG.</summary>
internal sealed class Canvas
{
    private readonly float[] _r, _g, _b;

    public Canvas(int width, int height, (float R, float G, float B) paper)
    {
        Width = width;
        Height = height;
        _r = Filled(paper.R);
        _g = Filled(paper.G);
        _b = Filled(paper.B);
        float[] Filled(float v)
        {
            var a = new float[width * height];
            Array.Fill(a, v);
            return a;
        }
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Adds a smooth random texture of at most +-<paramref name="amplitude"/> grey levels (a sum of random low-frequency waves, like paper or a photo's shading).</summary>
    public void AddTexture(Random random, float amplitude)
    {
        var waves = Enumerable.Range(0, 6).Select(_ => (Fx: random.NextDouble() * 0.25, Fy: random.NextDouble() * 0.25, Phase: random.NextDouble() * 2 * Math.PI)).ToArray();
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                double t = 0;
                foreach (var w in waves) t += Math.Sin(w.Fx * x + w.Fy * y + w.Phase);
                float d = (float)(amplitude * Math.Clamp(t / 2.5, -1, 1));
                int i = y * Width + x;
                _r[i] += d;
                _g[i] += d;
                _b[i] += d;
            }
    }

    /// <summary>Lays <paramref name="ink"/> of colour <paramref name="colour"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public void Stamp(InkMap ink, int x, int y, (float R, float G, float B) colour)
    {
        for (int v = 0; v < ink.Height; v++)
        {
            int cy = y + v;
            if (cy < 0 || cy >= Height) continue;
            for (int u = 0; u < ink.Width; u++)
            {
                int cx = x + u;
                if (cx < 0 || cx >= Width) continue;
                float a = Math.Clamp(ink[u, v], 0f, 1f);
                if (a <= 0) continue;
                int i = cy * Width + cx;
                _r[i] = _r[i] * (1 - a) + colour.R * a;
                _g[i] = _g[i] * (1 - a) + colour.G * a;
                _b[i] = _b[i] * (1 - a) + colour.B * a;
            }
        }
    }

    /// <summary>Adds Gaussian noise of standard deviation <paramref name="sigma"/> (the same on the three channels).</summary>
    public void AddGaussianNoise(Random random, float sigma)
    {
        for (int i = 0; i < _r.Length; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            float n = (float)(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            _r[i] += n;
            _g[i] += n;
            _b[i] += n;
        }
    }

    /// <summary>Sets a fraction <paramref name="fraction"/> of the pixels to black or white at random.</summary>
    public void AddSaltAndPepper(Random random, double fraction)
    {
        for (int i = 0; i < _r.Length; i++)
        {
            if (random.NextDouble() >= fraction) continue;
            float v = random.Next(2) == 0 ? 0f : 255f;
            _r[i] = _g[i] = _b[i] = v;
        }
    }

    /// <summary>Encodes as PNG (<paramref name="jpegQuality"/> null) or JPEG; grey when every pixel is grey.</summary>
    public byte[] Encode(int? jpegQuality = null)
    {
        bool gray = true;
        for (int i = 0; i < _r.Length && gray; i++) gray = _r[i] == _g[i] && _g[i] == _b[i];
        using var bitmap = gray
            ? new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Gray8, SKAlphaType.Opaque))
            : new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Bgra8888, SKAlphaType.Opaque));
        int bytesPerPixel = gray ? 1 : 4;
        var row = new byte[Width * bytesPerPixel];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int i = y * Width + x;
                if (gray)
                {
                    row[x] = ToByte(_r[i]);
                }
                else
                {
                    row[x * 4] = ToByte(_b[i]);
                    row[x * 4 + 1] = ToByte(_g[i]);
                    row[x * 4 + 2] = ToByte(_r[i]);
                    row[x * 4 + 3] = 255;
                }
            }
            Marshal.Copy(row, 0, bitmap.GetPixels() + y * bitmap.RowBytes, row.Length);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(jpegQuality is null ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, jpegQuality ?? 100);
        return data.ToArray();
    }

    private static byte ToByte(float v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
