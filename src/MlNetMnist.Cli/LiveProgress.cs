namespace MlNetMnist.Cli;

/// <summary>
/// A progress line rewritten in place (carriage return, no new line) while long work runs, like the
/// tqdm bars of the PyTorch tutorials: only when the output is a terminal. When the output is
/// redirected (a CI log, a file) nothing is written, so the log holds only the plain lines that the
/// commands print anyway (one per epoch, per file, per run).
/// </summary>
internal sealed class LiveProgress(TextWriter output, bool enabled)
{
    /// <summary>Bench child processes mark their live lines with this prefix; the parent renders or drops them.</summary>
    public const string ChildLinePrefix = "\u001b[progress] ";

    private readonly Lock _lock = new();
    private int _width;

    /// <summary>True when lines are drawn (the output is a terminal).</summary>
    public bool Enabled => enabled;

    /// <summary>Replaces the live line with <paramref name="text"/>.</summary>
    public void Update(string text)
    {
        if (!enabled) return;
        lock (_lock)
        {
            output.Write('\r' + text.PadRight(_width));
            _width = text.Length;
            output.Flush();
        }
    }

    /// <summary>Removes the live line, if any, so that a normal line can follow.</summary>
    public void Clear()
    {
        if (!enabled) return;
        lock (_lock)
        {
            if (_width == 0) return;
            output.Write('\r' + new string(' ', _width) + '\r');
            _width = 0;
        }
    }

    /// <summary>Clears the live line and writes <paramref name="line"/> as a normal line.</summary>
    public void WriteLine(string line)
    {
        Clear();
        lock (_lock) output.WriteLine(line);
    }
}
