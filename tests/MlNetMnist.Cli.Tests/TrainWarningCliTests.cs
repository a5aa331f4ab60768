namespace MlNetMnist.Tests.Cli;

/// <summary><c>train</c> prints the trainer's warnings on the error output: here a run that has not learnt.</summary>
[Collection(ImageModelCollection.Name)]
public class TrainWarningCliTests(ImageModelFixture f)
{
    [Fact]
    public void ARunThatHasNotLearntIsReportedOnTheErrorOutput()
    {
        // Two folders of MNIST digits sorted at random (every other image): labels that say nothing about
        // the images, so one short epoch ends at the level of guessing. 160 training images, batches of 32.
        string root = Path.Combine(f.Directory, "random-labels");
        for (int i = 0; i < 200; i++)
        {
            string dir = Path.Combine(root, i % 2 == 0 ? "left" : "right");
            Directory.CreateDirectory(dir);
            File.Copy(f.PngPaths[i], Path.Combine(dir, $"{i}.png"), overwrite: true);
        }

        var r = CliRunner.Run("train", "--images", root, "--model", Path.Combine(f.Directory, "random-labels.zip"), "--epochs", "1", "--batch-size", "32");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("warning: The network has not learnt: after 1 epoch (5 optimiser steps of 32 rows)", r.Error, StringComparison.Ordinal);
        Assert.Contains("(ln 2 = 0.693)", r.Error, StringComparison.Ordinal);
        Assert.Contains("raise TorchCnnOptions.Epochs (to about 100, for some 500 steps)", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not learnt", r.Output, StringComparison.Ordinal);
    }
}
