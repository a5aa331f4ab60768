namespace MlNetMnist.Serving;

/// <summary>
/// One loaded version of a named model, reference-counted: the pool holds one reference while the
/// version is current and every <see cref="DigitModelLease"/> holds one while a request uses it. When a
/// reload swaps in a new version the pool drops its reference; the service is disposed when the last
/// request using it is done, never under a request in flight.
/// </summary>
internal sealed class ServedModel
{
    private int _references = 1;

    public ServedModel(DigitPredictionService service, string version, long generation, DateTimeOffset loadedAt)
    {
        Service = service;
        Version = version;
        Generation = generation;
        LoadedAt = loadedAt;
    }

    public DigitPredictionService Service { get; }

    /// <summary>The first 12 hex digits of the SHA-256 of the model file's bytes.</summary>
    public string Version { get; }

    /// <summary>1 for the first load of this name, then one more for each version swapped in.</summary>
    public long Generation { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>Takes a reference unless the version has already been released by everyone.</summary>
    public bool TryAcquire()
    {
        int seen = Volatile.Read(ref _references);
        while (seen > 0)
        {
            int found = Interlocked.CompareExchange(ref _references, seen + 1, seen);
            if (found == seen) return true;
            seen = found;
        }
        return false;
    }

    /// <summary>Drops a reference; the last one disposes the service.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) Service.Dispose();
    }
}
