namespace MlNetMnist.Training;

/// <summary>
/// A look at the validation data in the middle of an epoch, taken every
/// <c>TorchCnnOptions.ValidationEveryBatches</c> batches (the end of each epoch is in
/// <see cref="TrainingHistory.Epochs"/>). It does not change training: the network is evaluated without
/// gradients and without touching its random state or batch-norm statistics.
/// </summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Batch">Batches of this epoch done at the check.</param>
/// <param name="TrainingTime">Wall time spent training (not validating) since training started.</param>
/// <param name="ValidationLoss">Mean loss on the validation data.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation data (0-1).</param>
public sealed record ValidationCheck(int Epoch, long Batch, TimeSpan TrainingTime, double ValidationLoss, double ValidationAccuracy);
