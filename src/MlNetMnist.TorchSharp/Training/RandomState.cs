namespace MlNetMnist.Training;

/// <summary>The saved state of a run's random streams (TorchSharp generator states, as bytes).</summary>
/// <param name="Module">The stream used by weight initialisation and dropout.</param>
/// <param name="ShuffleAtEpochStart">The shuffle generator at the start of the epoch in progress.</param>
/// <param name="Augmentation">The augmentation generator now.</param>
internal sealed record RandomState(byte[] Module, byte[] ShuffleAtEpochStart, byte[] Augmentation);
