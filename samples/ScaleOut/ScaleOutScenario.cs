using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace ScaleOut;

/// <summary>
/// One scale-out run: replicas and nginx started, the load sent with its disruption in the middle,
/// every answer checked, everything that was started stopped (also when the run fails).
/// </summary>
internal static class ScaleOutScenario
{
    public static async Task<ScaleOutReport> RunAsync(ScaleOutOptions options, TextWriter log, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Replicas, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Replicas, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Requests, 10);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        if (!File.Exists(options.WebAppAssembly)) throw new FileNotFoundException($"{options.WebAppAssembly}: the web app is not built (dotnet build samples/DigitWebApp -c Release).");
        bool swap = options.Scenario == ScaleOutOptions.Disruption.SwapModel;
        if (swap && !File.Exists(options.ModelB)) throw new FileNotFoundException($"{options.ModelB}: the model to swap in does not exist.");

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(options.TimeLimit);
        var token = limit.Token;
        string work = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"mlnetmnist-scale-out-{Guid.NewGuid():N}");
        string modelDir = Path.Combine(work, "models");
        Directory.CreateDirectory(modelDir);
        string served = Path.Combine(modelDir, "model.zip");
        File.Copy(options.ModelA, served, overwrite: true);
        string versionA = Version(options.ModelA), versionB = swap ? Version(options.ModelB) : "";

        log.WriteLine($"Digits: {options.Images} MNIST test images as PNG; expected answers of each model computed in-process ...");
        var images = DigitImages.FromMnist(options.MnistDirectory, options.Images);
        var expected = new Dictionary<string, (string? Label, float Probability)[]> { [versionA] = images.ExpectedAnswers(options.ModelA) };
        if (swap) expected[versionB] = images.ExpectedAnswers(options.ModelB);

        var replicas = new List<Replica>();
        NginxBalancer? nginx = null;
        try
        {
            log.WriteLine($"Starting {options.Replicas} replicas of {Path.GetFileName(options.WebAppAssembly)} on loopback ports ...");
            var starting = Enumerable.Range(1, options.Replicas).Select(n => Replica.StartAsync(n, options.WebAppAssembly, served, token)).ToList();
            try
            {
                await Task.WhenAll(starting);
            }
            finally
            {
                replicas.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }
            using var direct = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var r in replicas) await WaitReadyAsync(direct, r, token);
            // Warm-up (not counted): each replica JIT-compiles its request path.
            foreach (var r in replicas)
                for (int i = 0; i < 20; i++)
                {
                    using var content = new ByteArrayContent(images.Pngs[i % images.Pngs.Length]);
                    (await direct.PostAsync(new Uri(r.Url, "api/predict"), content, token)).EnsureSuccessStatusCode();
                }
            log.WriteLine($"Replicas ready: {string.Join(", ", replicas.Select(r => $"{r.Number} {r.Url}"))}");

            nginx = await NginxBalancer.StartAsync(options.Nginx, Path.Combine(work, "nginx"), [.. replicas.Select(r => r.Url)], token);
            log.WriteLine($"nginx balancing on {nginx.Url} (config {Path.Combine(nginx.Directory, "nginx.conf")})");

            string disruption = "";
            int disruptAt = swap ? options.Requests / 4 : options.Requests / 2;
            Func<Task> disrupt = swap
                ? () =>
                {
                    // The way a deployment replaces a shared model: a new file renamed over the old one.
                    string temp = Path.Combine(modelDir, $".model.{Guid.NewGuid():N}.tmp");
                    File.Copy(options.ModelB, temp);
                    File.Move(temp, served, overwrite: true);
                    disruption = $"model.zip (shared by all replicas) replaced by version {versionB} after {disruptAt:N0} requests";
                    log.WriteLine(disruption);
                    return Task.CompletedTask;
                }
                : () =>
                {
                    var victim = replicas[^1];
                    victim.Kill();
                    disruption = $"replica {victim.Number} ({victim.Url.Authority}) killed with SIGKILL after {disruptAt:N0} requests";
                    log.WriteLine(disruption);
                    return Task.CompletedTask;
                };
            log.WriteLine($"Sending {options.Requests:N0} requests, {options.Concurrency} at a time ...");
            var (outcomes, elapsed) = await LoadRun.RunAsync(nginx.Url, images, options.Requests, options.Concurrency, disruptAt, disrupt, token);

            var finalVersions = new List<string>();
            if (swap)
            {
                foreach (var r in replicas)
                {
                    string version = await WaitForVersionAsync(direct, r, versionB, token);
                    finalVersions.Add($"replica {r.Number} {version}");
                }
            }
            return Report(options, outcomes, elapsed, disruption, versionA, swap ? versionB : null, expected, replicas, finalVersions)
                with { Endpoints = [.. replicas.Select(r => r.Url), nginx.Url] };
        }
        finally
        {
            nginx?.Dispose();
            foreach (var r in replicas) r.Dispose();
            if (options.WorkDirectory is null)
            {
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static ScaleOutReport Report(ScaleOutOptions options, RequestOutcome[] outcomes, TimeSpan elapsed, string disruption, string versionA, string? versionB,
        Dictionary<string, (string? Label, float Probability)[]> expected, List<Replica> replicas, List<string> finalVersions)
    {
        var sent = outcomes.Where(o => o.Error is null || !o.Error.StartsWith("not sent", StringComparison.Ordinal)).ToList();
        var ok = outcomes.Where(o => o.Succeeded).ToList();
        var latencies = sent.Select(o => o.Milliseconds).Order().ToArray();
        int wrong = 0, unknown = 0;
        foreach (var o in ok)
        {
            if (o.Version is null || !expected.TryGetValue(o.Version, out var answers))
            {
                unknown++;
                continue;
            }
            var e = answers[o.Image];
            if (o.Label != e.Label || Math.Abs(o.Probability - e.Probability) > 1e-5f) wrong++;
        }
        var byPort = replicas.ToDictionary(r => r.Url.Port, r => $"replica {r.Number}");
        var byReplica = ok.GroupBy(o => byPort.GetValueOrDefault(AnsweredPort(o.Upstream), "unknown")).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        return new ScaleOutReport
        {
            Scenario = options.Scenario,
            Replicas = options.Replicas,
            Requests = options.Requests,
            Concurrency = options.Concurrency,
            Sent = sent.Count,
            Succeeded = ok.Count,
            Failed = outcomes.Length - ok.Count,
            Seconds = elapsed.TotalSeconds,
            P50Milliseconds = Percentile(latencies, 0.50),
            P99Milliseconds = Percentile(latencies, 0.99),
            MaxMilliseconds = latencies.Length > 0 ? latencies[^1] : 0,
            RetriedByBalancer = ok.Count(o => o.Upstream?.Contains(',', StringComparison.Ordinal) == true),
            Disruption = disruption,
            AnswersByVersion = ok.GroupBy(o => o.Version ?? "none").OrderBy(g => g.Key == versionA ? 0 : 1).ToDictionary(g => g.Key, g => g.Count()),
            AnswersByReplica = byReplica,
            VersionA = versionA,
            VersionB = versionB,
            WrongAnswers = wrong,
            UnknownVersions = unknown,
            FinalVersions = finalVersions,
            ReplicaEvents = [.. replicas.SelectMany(r => r.Log.Where(IsModelEvent).Select(line => $"replica {r.Number}: {line.Trim()}"))],
            FirstErrors = [.. outcomes.Where(o => !o.Succeeded).Select(o => $"{o.Status} {o.Error}").Distinct().Take(5)],
            Machine = $"{Environment.ProcessorCount} CPU cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}",
            Endpoints = [],
        };
    }

    private static bool IsModelEvent(string line) =>
        line.Contains("Reloaded digit model", StringComparison.Ordinal) || line.Contains("Refused the changed file", StringComparison.Ordinal);

    /// <summary>The port of the replica that answered: the last address nginx tried.</summary>
    private static int AnsweredPort(string? upstream)
    {
        if (string.IsNullOrEmpty(upstream)) return 0;
        string last = upstream.Split(',', StringSplitOptions.TrimEntries)[^1];
        return int.TryParse(last[(last.LastIndexOf(':') + 1)..], out int port) ? port : 0;
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Version(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))[..12];

    private static async Task WaitReadyAsync(HttpClient http, Replica replica, CancellationToken token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(replica.Url, "health/ready"), token);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, token);
        }
        throw new InvalidOperationException($"Replica {replica.Number} ({replica.Url}) was not ready within 60 s.");
    }

    private static async Task<string> WaitForVersionAsync(HttpClient http, Replica replica, string version, CancellationToken token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string seen = "?";
        while (DateTime.UtcNow < deadline)
        {
            using var models = await http.GetFromJsonAsync<JsonDocument>(new Uri(replica.Url, "api/models"), token);
            seen = models!.RootElement[0].GetProperty("version").GetString() ?? "?";
            if (seen == version) break;
            await Task.Delay(100, token);
        }
        return seen;
    }
}
