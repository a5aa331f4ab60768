namespace MlNetMnist.Images;

/// <summary>
/// Brings an image to the working resolution of the MNIST-style centring, the way the saved image chain
/// does with ML.NET's <c>ResizeImages</c> (<c>IsoPad</c>): scaled, keeping its aspect ratio, so that its
/// longer side is the working size (sizes truncated to whole pixels as ML.NET does). Shrinking averages
/// areas, enlarging interpolates bilinearly. The C# side keeps only the image (ML.NET pads it to a square;
/// the ONNX graph finds the image inside that padding).
/// </summary>
internal static class WorkingResolution
{
    public static GrayImage Fit(GrayImage image, int size)
    {
        float aspect = Math.Min((float)size / image.Width, (float)size / image.Height);
        int width = Math.Max(1, (int)(image.Width * aspect));
        int height = Math.Max(1, (int)(image.Height * aspect));
        if (width == image.Width && height == image.Height) return image;
        return width <= image.Width && height <= image.Height ? AreaResampler.Resize(image, width, height) : Bilinear(image, width, height);
    }

    private static GrayImage Bilinear(GrayImage image, int width, int height)
    {
        var result = new float[width * height];
        double sx = (double)image.Width / width, sy = (double)image.Height / height;
        for (int y = 0; y < height; y++)
        {
            double fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, image.Height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, image.Height - 1);
            double ty = fy - y0;
            for (int x = 0; x < width; x++)
            {
                double fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, image.Width - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, image.Width - 1);
                double tx = fx - x0;
                double top = image[x0, y0] * (1 - tx) + image[x1, y0] * tx;
                double bottom = image[x0, y1] * (1 - tx) + image[x1, y1] * tx;
                result[y * width + x] = (float)(top * (1 - ty) + bottom * ty);
            }
        }
        return new GrayImage(width, height, result);
    }
}
