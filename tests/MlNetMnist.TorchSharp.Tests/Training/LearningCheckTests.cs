using MlNetMnist.Training;

namespace MlNetMnist.Tests.Training;

public class LearningCheckTests
{
    private static TrainingProgress Last(int epoch, double loss, double accuracy) =>
        new(epoch, epoch, loss, accuracy, null, null, 0, TimeSpan.Zero, TimeSpan.Zero, 0, TimeSpan.Zero);

    [Fact]
    public void ARunStillAtChanceIsNamedWithItsFiguresAndHowManyEpochsWouldGiveEnoughSteps()
    {
        // What a user's 3,000 colour shapes (4 classes, 24 steps per epoch) gave after 3 epochs.
        string? warning = LearningCheck.Describe(Last(3, 1.3735, 0.3047), classes: 4, batchesPerEpoch: 24, batchSize: 128);

        Assert.NotNull(warning);
        Assert.StartsWith("The network has not learnt: after 3 epochs (72 optimiser steps of 128 rows) the training loss 1.37 is no better than guessing (ln 4 = 1.39)", warning, StringComparison.Ordinal);
        Assert.Contains("training accuracy 30.5% near chance (25.0% for 4 classes)", warning, StringComparison.Ordinal);
        Assert.Contains("raise TorchCnnOptions.Epochs (to about 21, for some 500 steps) or lower BatchSize", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void EnoughStepsAlreadyMadePointAtTheLearningRateInstead()
    {
        string? warning = LearningCheck.Describe(Last(10, 2.29, 0.11), classes: 10, batchesPerEpoch: 469, batchSize: 128);

        Assert.NotNull(warning);
        Assert.Contains("(4,690 optimiser steps of 128 rows)", warning, StringComparison.Ordinal);
        Assert.Contains("try another LearningRate", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.05, 0.99, 10)] // learnt
    [InlineData(2.2, 0.20, 10)] // loss still high but accuracy twice chance: learning something
    [InlineData(1.9, 0.12, 10)] // accuracy near chance but the loss has moved (e.g. a hard task, or label noise)
    [InlineData(0.69, 0.5, 1)] // one class: nothing to say
    [InlineData(double.NaN, 0.1, 10)] // diverged: the divergence guard speaks, not this check
    public void RunsThatLearntSomethingGetNoWarning(double loss, double accuracy, int classes) =>
        Assert.Null(LearningCheck.Describe(Last(2, loss, accuracy), classes, batchesPerEpoch: 100, batchSize: 128));
}
