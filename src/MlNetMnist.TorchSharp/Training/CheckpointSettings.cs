namespace MlNetMnist.Training;

/// <summary>Where a run writes its checkpoints, whether it resumes from the one there, and what the run depends on.</summary>
/// <param name="Path">The checkpoint file (full path).</param>
/// <param name="Resume">True to continue from the checkpoint at <paramref name="Path"/>.</param>
/// <param name="Fingerprint">The run's fingerprint, stored in and compared with the checkpoint.</param>
internal sealed record CheckpointSettings(string Path, bool Resume, TrainingFingerprint Fingerprint);
