using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ScaleOut;

/// <summary>One request of the load: what was sent, how it went.</summary>
/// <param name="Image">Index of the digit image sent.</param>
/// <param name="Status">HTTP status, 0 when the request failed without one.</param>
/// <param name="Milliseconds">Time from send to the whole answer.</param>
/// <param name="Version">The model version that answered.</param>
/// <param name="Label">The predicted label.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Upstream">The replica(s) nginx used (two when it retried).</param>
/// <param name="Error">What failed.</param>
internal sealed record RequestOutcome(int Image, int Status, double Milliseconds, string? Version, string? Label, float Probability, string? Upstream, string? Error)
{
    public bool Succeeded => Status == 200 && Error is null;
}

/// <summary>
/// A bounded load: <c>requests</c> POSTs of digit PNGs to <c>/api/predict</c>, <c>concurrency</c> at a time,
/// each with a 30 s timeout and the whole run within the time limit. No retries here: whatever the
/// balancer does not save counts as failed. <paramref name="disruptAt"/> requests in, the disruption runs.
/// </summary>
internal static class LoadRun
{
    public static async Task<(RequestOutcome[] Outcomes, TimeSpan Elapsed)> RunAsync(Uri balancer, DigitImages images, int requests, int concurrency,
        int disruptAt, Func<Task> disruption, CancellationToken cancellation)
    {
        if (!IPAddress.IsLoopback(IPAddress.Parse(balancer.Host))) throw new ArgumentException($"The load goes to loopback addresses only, not {balancer}.", nameof(balancer));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = balancer, Timeout = TimeSpan.FromSeconds(30) };
        var outcomes = new RequestOutcome[requests];
        int next = -1, completed = 0;
        var disrupted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disruptionTask = disrupted.Task.ContinueWith(_ => disruption(), cancellation, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();

        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests && !cancellation.IsCancellationRequested)
            {
                int image = i % images.Pngs.Length;
                outcomes[i] = await SendAsync(http, images.Pngs[image], image, cancellation);
                if (Interlocked.Increment(ref completed) == disruptAt) disrupted.TrySetResult();
            }
        }, cancellation)).ToArray();
        await Task.WhenAll(workers);
        clock.Stop();
        disrupted.TrySetResult();
        await disruptionTask;
        // Requests never sent (time limit) are reported as failed.
        for (int i = 0; i < requests; i++) outcomes[i] ??= new RequestOutcome(i % images.Pngs.Length, 0, 0, null, null, 0, null, "not sent: the time limit was reached");
        return (outcomes, clock.Elapsed);
    }

    private static async Task<RequestOutcome> SendAsync(HttpClient http, byte[] png, int image, CancellationToken cancellation)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            using var content = new ByteArrayContent(png);
            content.Headers.ContentType = new("image/png");
            using var response = await http.PostAsync("api/predict", content, cancellation);
            var body = await response.Content.ReadAsByteArrayAsync(cancellation);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            string? upstream = response.Headers.TryGetValues("X-Upstream", out var values) ? string.Join(",", values) : null;
            if (response.StatusCode != HttpStatusCode.OK)
                return new RequestOutcome(image, (int)response.StatusCode, ms, null, null, 0, upstream, System.Text.Encoding.UTF8.GetString(body));
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return new RequestOutcome(image, 200, ms, root.GetProperty("modelVersion").GetString(), root.GetProperty("label").GetString(),
                root.GetProperty("probability").GetSingle(), upstream, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or IOException)
        {
            return new RequestOutcome(image, 0, Stopwatch.GetElapsedTime(start).TotalMilliseconds, null, null, 0, null, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
