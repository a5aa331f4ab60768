using System.Text.RegularExpressions;

namespace MlNetMnist.Tests.Cli;

/// <summary>
/// Live progress (tqdm-style) on a terminal, plain per-epoch lines when the output is redirected:
/// the same short training run both ways.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class LiveProgressTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-live");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CliRunner.Result Train(bool terminal) => CliRunner.Run(terminal, "train", "--data", TestData.MnistDirectory,
        "--model", Path.Combine(_dir, terminal ? "t.zip" : "r.zip"), "--epochs", "1", "--max-train-rows", "1500", "--max-test-rows", "200");

    [Fact]
    public void OnATerminalEachEpochShowsALiveLineWithBatchesRateLossAccuracyAndEta()
    {
        var r = Train(terminal: true);
        Assert.True(r.ExitCode == 0, r.ToString());
        // Live updates are rewritten in place with carriage returns; the last one is at the epoch's last batch.
        var updates = Regex.Matches(r.Output, @"\repoch 1/1  \[[#-]{20}\]  (\d+)/12  [\d,]+ img/s  loss (\d+\.\d{4})  acc \d+\.\d\d %  ETA (\d+s|\d+:\d\d)");
        Assert.True(updates.Count >= 1, r.Output);
        Assert.Equal("12", updates[^1].Groups[1].Value);
        Assert.True(double.Parse(updates[^1].Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) is > 0 and < 10);
        // The live line is cleared before the epoch line, which stays, on a line of its own.
        Assert.Matches(@"\r +\repoch 1/1  loss \d", r.Output);
    }

    [Fact]
    public void RedirectedOutputHasOnlyPlainLines()
    {
        var r = Train(terminal: false);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain('\r', r.Output);
        Assert.DoesNotContain("img/s  loss", r.Output);
        Assert.Matches(@"(?m)^epoch 1/1  loss \d", r.Output);
    }
}
