using System.Runtime.InteropServices;
using SkiaSharp;

namespace MlNetMnist.Images;

/// <summary>
/// Brings an image to the working resolution of the MNIST-style centring as the saved image chain
/// does with ML.NET's <c>ResizeImages</c> (<c>IsoPad</c>): scaled, keeping its aspect ratio, so that its
/// longer side is the working size (sizes truncated to whole pixels as ML.NET does), and drawn with
/// SkiaSharp at high filter quality (the SkiaSharp 2.88 API ML.NET 5.0.1 uses), as ML.NET draws it, so
/// that the C# preparation and the saved graph see the same pixels. The C# side keeps only the image
/// (ML.NET pads it to a square; the ONNX graph finds the image inside that padding).
/// </summary>
internal static class WorkingResolution
{
    public static GrayImage Fit(GrayImage image, int size)
    {
        float aspect = Math.Min((float)size / image.Width, (float)size / image.Height);
        int width = Math.Max(1, (int)(image.Width * aspect));
        int height = Math.Max(1, (int)(image.Height * aspect));
        if (width == image.Width && height == image.Height) return image;
        return Draw(image, width, height);
    }

    /// <summary>Draws <paramref name="image"/> scaled to <paramref name="width"/> x <paramref name="height"/> as ML.NET's IsoPad resize does (opaque BGRA, high filter quality).</summary>
    private static GrayImage Draw(GrayImage image, int width, int height)
    {
        var source = GrayImage.ToBgra(image.Values);
        var target = new byte[width * height * 4];
        var sourceHandle = GCHandle.Alloc(source, GCHandleType.Pinned);
        var targetHandle = GCHandle.Alloc(target, GCHandleType.Pinned);
        try
        {
            using var from = new SKBitmap();
            using var to = new SKBitmap();
            if (!from.InstallPixels(new SKImageInfo(image.Width, image.Height, SKColorType.Bgra8888, SKAlphaType.Opaque), sourceHandle.AddrOfPinnedObject(), image.Width * 4)
                || !to.InstallPixels(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Opaque), targetHandle.AddrOfPinnedObject(), width * 4))
                throw new InvalidOperationException("SkiaSharp refused a BGRA bitmap over managed memory.");
            using var canvas = new SKCanvas(to);
            using var paint = new SKPaint { FilterQuality = SKFilterQuality.High };
            canvas.DrawBitmap(from, new SKRect(0, 0, image.Width, image.Height), new SKRect(0, 0, width, height), paint);
            canvas.Flush();
        }
        finally
        {
            sourceHandle.Free();
            targetHandle.Free();
        }
        return GrayImage.FromPixels(target, width, height, bgra: true);
    }
}
