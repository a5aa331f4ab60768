using System.Net.Sockets;
using ScaleOut;
using Xunit.Abstractions;

namespace MlNetMnist.Samples.Tests;

/// <summary>
/// DigitWebApp scaled out: three replicas (separate processes on loopback ports) behind nginx, a bounded
/// load of real digits (a few thousand requests here; samples/ScaleOut/scale-out.sh sends 20,000), one
/// replica killed or model.zip swapped in the middle. nginx must be installed (.ci/run installs it).
/// </summary>
[Collection(SampleModelCollection.Name)]
public class ScaleOutTests(SampleModelFixture f, ITestOutputHelper output)
{
    private ScaleOutOptions Options(ScaleOutOptions.Disruption scenario, int requests) => new()
    {
        ModelA = f.ModelPath,
        ModelB = scenario == ScaleOutOptions.Disruption.SwapModel ? f.SecondModelPath : "",
        MnistDirectory = SampleData.MnistDirectory,
        Replicas = 3,
        Requests = requests,
        Concurrency = 16,
        Images = 100,
        TimeLimit = TimeSpan.FromMinutes(4),
        Scenario = scenario,
    };

    private async Task<ScaleOutReport> Run(ScaleOutOptions options)
    {
        using var log = new StringWriter();
        try
        {
            var report = await ScaleOutScenario.RunAsync(options, log);
            output.WriteLine(log.ToString());
            output.WriteLine(report.Format());
            return report;
        }
        catch
        {
            output.WriteLine(log.ToString());
            throw;
        }
    }

    [Fact]
    public async Task KillingAReplicaUnderLoadLosesNoRequestAndStopsEverythingItStarted()
    {
        var report = await Run(Options(ScaleOutOptions.Disruption.KillReplica, 3000));
        Assert.Equal((3000, 3000, 0), (report.Sent, report.Succeeded, report.Failed));
        Assert.Equal((0, 0), (report.WrongAnswers, report.UnknownVersions));
        Assert.Contains("replica 3", report.Disruption);
        // Round-robin over three until the kill halfway, then over the two left.
        Assert.Equal(["replica 1", "replica 2", "replica 3"], report.AnswersByReplica.Keys);
        Assert.InRange(report.AnswersByReplica["replica 3"], 1, 999);
        Assert.True(report.AnswersByReplica["replica 1"] > 1000 && report.AnswersByReplica["replica 2"] > 1000);
        Assert.True(report.P50Milliseconds > 0 && report.P99Milliseconds >= report.P50Milliseconds);
        AssertAllStopped(report);
    }

    [Fact]
    public async Task SwappingModelZipUnderLoadLosesNoRequestAndEveryAnswerIsFromTheOldOrTheNewModel()
    {
        var report = await Run(Options(ScaleOutOptions.Disruption.SwapModel, 4000));
        Assert.Equal((4000, 4000, 0), (report.Sent, report.Succeeded, report.Failed));
        // Each answer carries its version and equals that version's own prediction of the same image.
        Assert.Equal((0, 0), (report.WrongAnswers, report.UnknownVersions));
        Assert.NotEqual(report.VersionA, report.VersionB);
        Assert.Equal([report.VersionA, report.VersionB!], report.AnswersByVersion.Keys);
        Assert.All(report.FinalVersions, v => Assert.EndsWith(report.VersionB!, v));
        Assert.Equal(3, report.FinalVersions.Count);
        Assert.Equal(3, report.ReplicaEvents.Count(e => e.Contains($"version {report.VersionA} -> {report.VersionB}", StringComparison.Ordinal)));
        AssertAllStopped(report);
    }

    /// <summary>Nothing listens any more where the replicas and nginx did.</summary>
    private static void AssertAllStopped(ScaleOutReport report)
    {
        Assert.Equal(4, report.Endpoints.Count);
        foreach (var endpoint in report.Endpoints)
        {
            using var client = new TcpClient();
            var refused = Assert.ThrowsAny<SocketException>(() => client.Connect("127.0.0.1", endpoint.Port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
    }
}
