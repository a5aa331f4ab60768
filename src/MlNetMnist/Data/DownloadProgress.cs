using System.Globalization;

namespace MlNetMnist.Data;

/// <summary>Bytes received so far while one file downloads (see <see cref="MnistDownloader.ByteProgress"/>).</summary>
/// <param name="FileName">The file being downloaded, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The size the server announced, or null when it did not.</param>
/// <param name="BytesPerSecond">Average rate since the download started.</param>
public sealed record DownloadProgress(string FileName, long BytesReceived, long? TotalBytes, double BytesPerSecond)
{
    /// <summary>One line: <c>train-images-idx3-ubyte.gz  [#######-------------]  3.4/9.5 MB  1.2 MB/s</c>.</summary>
    public override string ToString()
    {
        const int BarWidth = 20;
        var ci = CultureInfo.InvariantCulture;
        if (TotalBytes is not long total || total <= 0)
            return string.Format(ci, "{0}  {1:F1} MB  {2:F1} MB/s", FileName, BytesReceived / 1e6, BytesPerSecond / 1e6);
        int filled = (int)Math.Clamp(BytesReceived * BarWidth / total, 0, BarWidth);
        return string.Format(ci, "{0}  [{1}{2}]  {3:F1}/{4:F1} MB  {5:F1} MB/s",
            FileName, new string('#', filled), new string('-', BarWidth - filled), BytesReceived / 1e6, total / 1e6, BytesPerSecond / 1e6);
    }
}
