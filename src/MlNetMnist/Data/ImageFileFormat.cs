namespace MlNetMnist.Data;

/// <summary>The image file formats whose header <see cref="ImageHeader"/> reads.</summary>
public enum ImageFileFormat
{
    /// <summary>PNG (<c>89 50 4E 47 0D 0A 1A 0A</c>, size in the IHDR chunk).</summary>
    Png,

    /// <summary>JPEG (<c>FF D8</c>, size in the first start-of-frame segment).</summary>
    Jpeg,

    /// <summary>Windows bitmap (<c>BM</c>, size in the DIB header).</summary>
    Bmp,

    /// <summary>GIF (<c>GIF87a</c> / <c>GIF89a</c>, size of the logical screen).</summary>
    Gif,

    /// <summary>WebP (<c>RIFF....WEBP</c>, size in the VP8, VP8L or VP8X chunk).</summary>
    WebP,
}
