using System.Net;

namespace MlNetMnist.Tests.Data;

/// <summary>An <see cref="HttpMessageHandler"/> that answers from a function and records every request.</summary>
internal sealed class FakeMirrorHandler(Func<Uri, HttpResponseMessage> respond) : HttpMessageHandler
{
    private readonly List<Uri> _requests = [];

    /// <summary>Every URL requested, in order.</summary>
    public IReadOnlyList<Uri> Requests
    {
        get { lock (_requests) return _requests.ToArray(); }
    }

    /// <summary>Serves <c>{name}</c> from the files in <paramref name="directory"/>; 404 for anything else.</summary>
    public static HttpResponseMessage ServeFrom(string directory, Uri uri)
    {
        string path = Path.Combine(directory, uri.Segments[^1]);
        return File.Exists(path) ? Ok(File.ReadAllBytes(path)) : new HttpResponseMessage(HttpStatusCode.NotFound) { ReasonPhrase = "Not Found" };
    }

    /// <summary>A 200 response with <paramref name="body"/>.</summary>
    public static HttpResponseMessage Ok(byte[] body) => new(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_requests) _requests.Add(request.RequestUri!);
        return Task.FromResult(respond(request.RequestUri!));
    }
}

/// <summary>Collects progress lines synchronously (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class ListProgress : IProgress<string>
{
    public List<string> Lines { get; } = [];

    public void Report(string value)
    {
        lock (Lines) Lines.Add(value);
    }
}

/// <summary>Reports synchronously to an action (unlike <see cref="Progress{T}"/>, which posts).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value)
    {
        lock (this) report(value);
    }
}
