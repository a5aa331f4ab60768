namespace MlNetMnist.Data;

/// <summary>
/// A data file is missing, unreadable or not what it should be (bad magic number, truncated,
/// wrong size, label out of range, checksum mismatch). The message starts with the file path and
/// says what was found and what was expected.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> because <see cref="InvalidDataException"/> is sealed; a
/// missing file is reported as this exception with a <see cref="FileNotFoundException"/> inside.
/// </remarks>
public class MnistDataException : IOException
{
    /// <summary>Creates an exception with a default message.</summary>
    public MnistDataException() : base("The MNIST data is invalid.") { }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">The complete message.</param>
    public MnistDataException(string message) : base(message) { }

    /// <summary>Creates an exception with the given message and the exception that caused it.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="innerException">The underlying exception.</param>
    public MnistDataException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>
    /// Creates an exception about one file; the message is <c>"{filePath}: {problem}"</c>.
    /// </summary>
    /// <param name="filePath">The file the problem is in.</param>
    /// <param name="problem">What was found and what was expected.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public MnistDataException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The file the problem is in, when the exception was created for one file.</summary>
    public string? FilePath { get; }
}
