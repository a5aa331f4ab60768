using Microsoft.ML;
using MlNetMnist.SavedModels;
using MlNetMnist.Reports;

namespace MlNetMnist;

/// <summary>
/// Saves and loads ML.NET model files (<c>model.zip</c>) safely: saving is atomic, so a failed save
/// never leaves a half-written or damaged file, and loading reports a missing, empty or foreign file
/// with a message that names it.
/// </summary>
public static class ModelFile
{
    /// <summary>
    /// Saves <paramref name="model"/> with <c>mlContext.Model.Save</c> to <paramref name="path"/>
    /// atomically: the model is written to a temporary file in the same folder (created if needed),
    /// which then replaces <paramref name="path"/>. If saving fails, the temporary file is deleted,
    /// an existing file at <paramref name="path"/> is left untouched, and the exception propagates.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="model">The fitted model (for example the whole pipeline's transformer chain).</param>
    /// <param name="inputSchema">The schema of the data the model reads (saved with it), or null.</param>
    /// <param name="path">The model file to write.</param>
    public static void Save(MLContext ml, ITransformer model, DataViewSchema? inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream => ml.Model.Save(model, inputSchema, stream));
    }

    /// <summary>
    /// Loads a model saved by <see cref="Save"/> or <c>mlContext.Model.Save</c>.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="path">The model file.</param>
    /// <param name="schema">The input schema saved with the model.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>; the message names it.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is empty, not a zip archive, or not an ML.NET model; the message names it and says what
    /// was found, and ML.NET's own exception, if any, is the <see cref="Exception.InnerException"/>.
    /// </exception>
    public static ITransformer Load(MLContext ml, string path, out DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new InvalidDataException($"{full}: is a folder; expected an ML.NET model file (.zip).");
        if (!File.Exists(full))
            throw new FileNotFoundException($"{full}: model file not found.", full);

        var header = new byte[4];
        int read;
        using (var stream = File.OpenRead(full))
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        CheckHeader(full, header.AsSpan(0, read));
        using (var stream = File.OpenRead(full))
            ZipIntegrity.Check(stream, full);

        try
        {
            return ml.Model.Load(full, out schema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{full}: not a readable ML.NET model: {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>
    /// Loads a model from the bytes of a model file read earlier (a snapshot: the file may have changed
    /// since), with the same checks and messages as <see cref="Load(MLContext, string, out DataViewSchema)"/>.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="bytes">The whole file.</param>
    /// <param name="displayPath">The file the bytes came from, for messages.</param>
    /// <param name="schema">The input schema saved with the model.</param>
    internal static ITransformer Load(MLContext ml, byte[] bytes, string displayPath, out DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(bytes);
        CheckHeader(displayPath, bytes.AsSpan(0, Math.Min(4, bytes.Length)));
        using (var check = new MemoryStream(bytes, writable: false))
            ZipIntegrity.Check(check, displayPath);
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return ml.Model.Load(stream, out schema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{displayPath}: not a readable ML.NET model: {FirstLine(e.Message)}", e);
        }
    }

    private static void CheckHeader(string full, ReadOnlySpan<byte> header)
    {
        if (header.Length == 0)
            throw new InvalidDataException($"{full}: the file is empty; expected an ML.NET model (.zip) written by ModelFile.Save or mlContext.Model.Save.");
        if (header.Length < 4 || header[0] != (byte)'P' || header[1] != (byte)'K' || !((header[2] == 3 && header[3] == 4) || (header[2] == 5 && header[3] == 6)))
            throw new InvalidDataException($"{full}: not a zip archive (starts with {Convert.ToHexString(header)}); expected an ML.NET model (.zip) written by ModelFile.Save or mlContext.Model.Save.");
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return (newline < 0 ? message : message[..newline]).Trim();
    }
}
