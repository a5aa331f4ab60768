using System.Globalization;
using System.Text;

namespace ScaleOut;

/// <summary>The figures of one scale-out run, and the checks they pass or fail.</summary>
internal sealed record ScaleOutReport
{
    public required ScaleOutOptions.Disruption Scenario { get; init; }
    public required int Replicas { get; init; }
    public required int Requests { get; init; }
    public required int Concurrency { get; init; }
    public required int Sent { get; init; }
    public required int Succeeded { get; init; }
    public required int Failed { get; init; }
    public required double Seconds { get; init; }
    public required double P50Milliseconds { get; init; }
    public required double P99Milliseconds { get; init; }
    public required double MaxMilliseconds { get; init; }
    public required int RetriedByBalancer { get; init; }
    public required string Disruption { get; init; }
    public required IReadOnlyDictionary<string, int> AnswersByVersion { get; init; }
    public required IReadOnlyDictionary<string, int> AnswersByReplica { get; init; }
    public required string VersionA { get; init; }
    public required string? VersionB { get; init; }
    /// <summary>Answers whose label or probability is not what their model version gives for that image.</summary>
    public required int WrongAnswers { get; init; }
    /// <summary>Answers from a version that is neither the old nor the new model.</summary>
    public required int UnknownVersions { get; init; }
    public required IReadOnlyList<string> FinalVersions { get; init; }
    public required IReadOnlyList<string> ReplicaEvents { get; init; }
    public required IReadOnlyList<string> FirstErrors { get; init; }
    public required string Machine { get; init; }
    /// <summary>Where the replicas and nginx listened (all stopped when the report is made).</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    public double Throughput => Seconds > 0 ? Succeeded / Seconds : 0;

    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(inv, $"scenario: {(Scenario == ScaleOutOptions.Disruption.KillReplica ? "replica killed" : "model swapped")} ({Replicas} replicas behind nginx, {Concurrency} concurrent, loopback)");
        s.AppendLine(inv, $"disruption: {Disruption}");
        s.AppendLine(inv, $"requests: sent {Sent:N0} of {Requests:N0}, succeeded {Succeeded:N0}, failed {Failed:N0}; retried by nginx on another replica: {RetriedByBalancer:N0}");
        s.AppendLine(inv, $"throughput: {Throughput:N0} requests/s over {Seconds:N1} s; latency p50 {P50Milliseconds:N1} ms, p99 {P99Milliseconds:N1} ms, max {MaxMilliseconds:N1} ms");
        s.AppendLine(inv, $"answers by replica: {string.Join(", ", AnswersByReplica.Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
        s.AppendLine(inv, $"answers by model version: {string.Join(", ", AnswersByVersion.Select(kv => $"{kv.Key}{Tag(kv.Key)} {kv.Value:N0}"))}");
        s.AppendLine(inv, $"answers checked against their version's own prediction of the same image: wrong {WrongAnswers:N0}, from an unknown version {UnknownVersions:N0}");
        if (FinalVersions.Count > 0) s.AppendLine(inv, $"versions served at the end: {string.Join(", ", FinalVersions)}");
        foreach (var e in ReplicaEvents) s.AppendLine(inv, $"  {e}");
        foreach (var e in FirstErrors) s.AppendLine(inv, $"  error: {e}");
        s.AppendLine(inv, $"machine: {Machine}");
        return s.ToString();
    }

    private string Tag(string version) => version == VersionA ? " (old)" : version == VersionB ? " (new)" : " (unknown)";
}
