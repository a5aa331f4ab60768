namespace MlNetMnist.Serving;

/// <summary>The state of one named model of a <see cref="DigitModelPool"/>.</summary>
/// <param name="Name">The model's name in the pool.</param>
/// <param name="ModelPath">The full path of its file.</param>
/// <param name="IsLoaded">True once a version has been loaded (it then serves until the pool is disposed).</param>
/// <param name="Version">The version served: the first 12 hex digits of the SHA-256 of the file's bytes; null when not loaded.</param>
/// <param name="Generation">0 before the first load, 1 after it, one more for each new version swapped in.</param>
/// <param name="LoadedAt">When the version served was loaded.</param>
/// <param name="LastReloadError">
/// Why the file on disk is not the version served (a changed file that was refused, or a file that is
/// gone), or null when it is. Cleared when a good file is loaded.
/// </param>
/// <param name="LastReloadErrorAt">When <paramref name="LastReloadError"/> happened.</param>
public sealed record DigitModelInfo(string Name, string ModelPath, bool IsLoaded, string? Version, long Generation, DateTimeOffset? LoadedAt,
    string? LastReloadError, DateTimeOffset? LastReloadErrorAt);
