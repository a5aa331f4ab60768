using System.CommandLine;

namespace MlNetMnist.Cli;

/// <summary>
/// The <c>train</c> options <c>--checkpoint FILE</c> and <c>--resume</c>. Training always keeps a
/// checkpoint (by default <c>MODEL.checkpoint</c> next to the model, deleted once the model is saved),
/// so that Ctrl+C or a crash loses at most the current epoch, and <c>--resume</c> continues from it.
/// </summary>
internal sealed class TrainCheckpointOptions
{
    /// <summary>Suffix of the default checkpoint file, appended to the model path.</summary>
    public const string DefaultSuffix = ".checkpoint";

    public Option<string?> Checkpoint { get; } = new("--checkpoint")
    {
        Description = "Write a training checkpoint to FILE after every epoch and on Ctrl+C, and keep it (default: MODEL" + DefaultSuffix + ", deleted once the model is saved).",
        HelpName = "FILE",
    };

    public Option<bool> Resume { get; } = new("--resume")
    {
        Description = "Continue an interrupted training from its checkpoint (see --checkpoint). Use the same data and training options: the result is the model the uninterrupted run would have given.",
    };

    /// <summary>Both options, to add to a command.</summary>
    public IEnumerable<Option> All => [Checkpoint, Resume];

    /// <summary>
    /// Sets <see cref="TorchCnnOptions.CheckpointPath"/>, <see cref="TorchCnnOptions.ResumeFromCheckpoint"/>
    /// and <see cref="TorchCnnOptions.Cancellation"/> (signalled by Ctrl+C during <see cref="CheckpointRun.TryFit{T}"/>).
    /// Call before the trainer is created: it copies the options.
    /// </summary>
    /// <exception cref="UsageException">An option value is not a usable path.</exception>
    /// <exception cref="FileNotFoundException">--resume is given but there is no checkpoint.</exception>
    public CheckpointRun Apply(ParseResult parseResult, TorchCnnOptions options, string modelPath, TextWriter output)
    {
        string? given = CommonOptions.OptionalPath(parseResult.GetValue(Checkpoint), "--checkpoint");
        string path = Path.GetFullPath(given ?? modelPath + DefaultSuffix);
        if (Directory.Exists(path)) throw new UsageException($"--checkpoint {path} is a folder; expected a file path.");
        if (path == Path.GetFullPath(modelPath)) throw new UsageException($"--checkpoint {path} is the model file; choose another file.");
        bool resume = parseResult.GetValue(Resume);
        if (resume && !File.Exists(path))
            throw new FileNotFoundException($"{path}: no checkpoint to resume from; it is written while training runs (after every epoch and on Ctrl+C). Train without --resume to start.", path);
        if (!resume && File.Exists(path))
            output.WriteLine($"Starting over: the checkpoint {path} of an earlier run will be replaced (use --resume to continue that run).");

        var run = new CheckpointRun(path, deleteWhenSaved: given is null);
        options.CheckpointPath = path;
        options.ResumeFromCheckpoint = resume;
        options.Cancellation = run.Token;
        return run;
    }
}
