using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using MlNetMnist.Reports;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// A training checkpoint file: one zip archive written atomically (temporary file, then rename), holding
/// <c>checkpoint.json</c> (<see cref="CheckpointManifest"/>), <c>model.bin</c> (the network's state
/// dictionary, <see cref="NamedTensors"/>), <c>optimizer.bin</c> (TorchSharp's optimiser state: moments,
/// step counts, learning rate) and, with early stopping, <c>best.bin</c> (the best epoch's weights).
/// The learning-rate schedule is not stored: it is recreated and stepped as often as the run had stepped it.
/// </summary>
internal sealed class TrainingCheckpoint
{
    private const string FormatName = "MlNetMnist training checkpoint";
    private const int FormatVersion = 1;
    private const string ManifestEntry = "checkpoint.json";
    private const string ModelEntry = "model.bin";
    private const string OptimizerEntry = "optimizer.bin";
    private const string BestEntry = "best.bin";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly string _path;
    private readonly CheckpointManifest _manifest;
    private readonly byte[] _model;
    private readonly byte[] _optimizer;
    private readonly byte[]? _best;

    private TrainingCheckpoint(string path, CheckpointManifest manifest, byte[] model, byte[] optimizer, byte[]? best)
    {
        _path = path;
        _manifest = manifest;
        _model = model;
        _optimizer = optimizer;
        _best = best;
    }

    /// <summary>Writes the state of <paramref name="session"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The checkpoint file; its folder is created if needed.</param>
    /// <param name="session">The run.</param>
    /// <param name="fingerprint">What the run depends on.</param>
    /// <param name="totalTime">Wall time of the run so far (all sessions).</param>
    /// <param name="trainingTime">Training time of the run so far (all sessions).</param>
    public static void Write(string path, TrainingSession session, TrainingFingerprint fingerprint, TimeSpan totalTime, TimeSpan trainingTime)
    {
        var p = session.Position;
        var random = session.Random.Capture();
        var (bestAccuracy, bestEpoch) = session.Stopping.Best;
        var manifest = new CheckpointManifest
        {
            Format = FormatName,
            Version = FormatVersion,
            WrittenUtc = DateTime.UtcNow,
            Fingerprint = new Dictionary<string, string>(fingerprint.Values),
            Epoch = p.Epoch,
            BatchesDone = p.BatchesDone,
            LossSum = p.LossSum,
            Correct = p.Correct,
            Finished = p.Finished,
            TotalTime = totalTime,
            TrainingTime = trainingTime,
            History = session.History.Epochs.ToList(),
            Checks = session.History.Checks.ToList(),
            StopReason = session.History.StopReason,
            SelectedEpoch = session.History.SelectedEpoch,
            BestAccuracy = bestAccuracy,
            BestEpoch = bestEpoch,
            ModuleRandom = random.Module,
            ShuffleRandom = random.ShuffleAtEpochStart,
            AugmentationRandom = random.Augmentation,
        };

        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var entry = zip.CreateEntry(ManifestEntry, CompressionLevel.Fastest).Open())
                JsonSerializer.Serialize(entry, manifest, Json);
            WriteEntry(zip, ModelEntry, writer => NamedTensors.Write(writer, session.Model.state_dict()));
            WriteEntry(zip, OptimizerEntry, writer => session.SavableOptimizer.save_state_dict(writer));
            if (session.Stopping.BestWeights is { } best)
                WriteEntry(zip, BestEntry, writer => NamedTensors.Write(writer, best.ToList()));
        });
    }

    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/> and checks that it was written by a run with
    /// the same <paramref name="fingerprint"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable checkpoint of this format.</exception>
    /// <exception cref="InvalidOperationException">The checkpoint belongs to a run with other options or data; the message names what differs.</exception>
    public static TrainingCheckpoint Read(string path, TrainingFingerprint fingerprint)
    {
        string full = Path.GetFullPath(path);
        RequireFile(full);
        CheckpointManifest manifest;
        byte[] model, optimizer;
        byte[]? best;
        try
        {
            using var zip = ZipFile.OpenRead(full);
            var manifestEntry = zip.GetEntry(ManifestEntry)
                ?? throw new InvalidDataException($"it has no {ManifestEntry} entry");
            using (var stream = manifestEntry.Open())
                manifest = JsonSerializer.Deserialize<CheckpointManifest>(stream, Json)
                    ?? throw new InvalidDataException($"{ManifestEntry} is empty");
            if (manifest.Format != FormatName)
                throw new InvalidDataException($"{ManifestEntry} describes '{manifest.Format}'");
            if (manifest.Version != FormatVersion)
                throw new InvalidDataException($"format version {manifest.Version}; this library reads version {FormatVersion}");
            model = ReadEntry(zip, ModelEntry) ?? throw new InvalidDataException($"it has no {ModelEntry} entry");
            optimizer = ReadEntry(zip, OptimizerEntry) ?? throw new InvalidDataException($"it has no {OptimizerEntry} entry");
            best = ReadEntry(zip, BestEntry);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException && e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{full}: not a readable training checkpoint: {e.Message}", e);
        }

        var differences = fingerprint.Differences(new TrainingFingerprint(manifest.Fingerprint));
        if (differences.Count > 0)
            throw new InvalidOperationException(
                $"{full}: the checkpoint belongs to another training run ({string.Join("; ", differences)}). "
                + "Resume with the same options and data as the interrupted run, or train without resuming to start over.");
        return new TrainingCheckpoint(full, manifest, model, optimizer, best);
    }

    /// <summary>Throws <see cref="FileNotFoundException"/> naming <paramref name="fullPath"/> when it is not a file.</summary>
    public static void RequireFile(string fullPath)
    {
        if (Directory.Exists(fullPath))
            throw new InvalidDataException($"{fullPath}: is a folder; expected a training checkpoint file.");
        if (!File.Exists(fullPath))
            throw new FileNotFoundException($"{fullPath}: training checkpoint not found; it is written by a run with TorchCnnOptions.CheckpointPath set (CLI: train --checkpoint).", fullPath);
    }

    /// <summary>
    /// Puts <paramref name="session"/> (freshly created with the same options) in the state of the checkpoint:
    /// schedule stepped forward, network and optimiser state loaded, random streams, early stopping,
    /// history and position restored.
    /// </summary>
    public void Restore(TrainingSession session)
    {
        var m = _manifest;
        var p = session.Position;
        p.Epoch = m.Epoch;
        p.BatchesDone = m.BatchesDone;
        p.LossSum = m.LossSum;
        p.Correct = m.Correct;
        p.Finished = m.Finished;
        p.TotalTimeBefore = m.TotalTime;
        p.TrainingTimeBefore = m.TrainingTime;
        try
        {
            // The schedule sets the optimiser's learning rate as it steps; the saved optimiser state then
            // overwrites it with the same value, as PyTorch recommends (load after creating the scheduler).
            session.FastForwardSchedule();
            using (var reader = Reader(_model))
                NamedTensors.CopyInto(reader, session.Model.state_dict());
            using (var reader = Reader(_optimizer))
                session.SavableOptimizer.load_state_dict(reader);
            Dictionary<string, Tensor>? best = null;
            if (_best is not null)
            {
                using var reader = Reader(_best);
                best = NamedTensors.Read(reader);
            }
            session.Stopping.Restore(m.BestAccuracy, m.BestEpoch, best);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException or IOException)
        {
            throw new InvalidDataException($"{_path}: the checkpoint's network or optimiser state cannot be loaded: {e.Message}", e);
        }
        session.Random.Restore(new RandomState(m.ModuleRandom, m.ShuffleRandom, m.AugmentationRandom));
        foreach (var epoch in m.History) session.History.Add(epoch);
        foreach (var check in m.Checks ?? []) session.History.Add(check);
        session.History.StopReason = m.StopReason;
        session.History.SelectedEpoch = m.SelectedEpoch;
    }

    private static void WriteEntry(ZipArchive zip, string name, Action<BinaryWriter> write)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        write(writer);
        writer.Flush();
    }

    private static byte[]? ReadEntry(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        if (entry is null) return null;
        using var stream = entry.Open();
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static BinaryReader Reader(byte[] bytes) => new(new MemoryStream(bytes, writable: false), System.Text.Encoding.UTF8);
}
