using Microsoft.ML.Data;

namespace MlNetMnist.Tests.Images;

/// <summary>
/// ML.NET's image transforms (Microsoft.ML.ImageAnalytics 5.0.1) read pixels through SkiaSharp 2.x
/// (<c>SKBitmap.GetPixelSpan()</c>, whose signature changed in SkiaSharp 3). Tests that run those
/// transforms in this process call <see cref="Require"/> first, so that a SkiaSharp 3 in the build
/// fails them with that explanation instead of a bare MissingMethodException.
/// </summary>
internal static class ImageAnalyticsCheck
{
    public static void Require()
    {
        try
        {
            using var image = MLImage.CreateFromPixels(1, 1, MLPixelFormat.Bgra32, new byte[] { 0, 0, 0, 255 });
            _ = image.Pixels.Length;
        }
        catch (MissingMethodException e)
        {
            var skia = typeof(SkiaSharp.SKBitmap).Assembly.GetName();
            Assert.Fail($"ML.NET's image transforms cannot read pixels in this process: Microsoft.ML.ImageAnalytics 5.0.1 needs SkiaSharp 2.88, "
                        + $"but {skia.Name} {skia.Version} is loaded (Directory.Packages.props pins it). {e.Message}");
        }
    }
}
