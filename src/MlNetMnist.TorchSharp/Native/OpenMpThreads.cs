using System.Runtime.InteropServices;
using TorchSharp;

namespace MlNetMnist.Native;

/// <summary>
/// Runs LibTorch single-threaded on the calling thread for a moment, without touching the process-wide
/// setting (<c>torch.set_num_threads</c>) that training and batched scoring use. LibTorch's CPU build
/// parallelises through OpenMP, whose thread count is a per-thread setting (<c>omp_set_num_threads</c>
/// affects the calling thread only); this sets it in the OpenMP runtime that LibTorch ships with
/// (<c>libgomp-*.so.1</c> next to <c>libtorch_cpu</c>). For a single image the work per operator is far
/// too small to share: waking a second thread costs more than it saves, and callers on several threads
/// at once each fork a team and oversubscribe the cores (measured here: ~150 rows/s under load with 2
/// threads per row against ~2,300 with 1). Where that runtime is not found, nothing changes.
/// </summary>
internal static class OpenMpThreads
{
    private static readonly Lazy<OpenMp?> Runtime = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    [ThreadStatic]
    private static bool _threadInitialised;

    /// <summary>Test and benchmark switch: false leaves the thread count alone. Default true.</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>True when LibTorch's OpenMP runtime was found (the scopes have an effect).</summary>
    public static bool Available => Runtime.Value is not null;

    /// <summary>Makes the calling thread run LibTorch operators on itself alone until the scope is disposed.</summary>
    public static Scope SingleThreaded()
    {
        if (!Enabled || Runtime.Value is not { } omp) return default;
        if (!_threadInitialised)
        {
            // LibTorch sets a thread's OpenMP count from the process-wide one on its first parallel call
            // there; let that happen first, so that it does not undo the count set below.
            _ = torch.get_num_threads();
            _threadInitialised = true;
        }
        int previous = omp.GetMaxThreads();
        if (previous <= 1) return default;
        omp.SetNumThreads(1);
        return new Scope(omp, previous);
    }

    /// <summary>Restores the calling thread's OpenMP thread count.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly OpenMp? _omp;
        private readonly int _previous;

        internal Scope(OpenMp omp, int previous)
        {
            _omp = omp;
            _previous = previous;
        }

        public void Dispose() => _omp?.SetNumThreads(_previous);
    }

    private static OpenMp? Load()
    {
        try
        {
            foreach (string dir in SearchDirectories())
            {
                if (!Directory.Exists(dir)) continue;
                foreach (string file in Directory.EnumerateFiles(dir, "libgomp*.so*"))
                {
                    if (!NativeLibrary.TryLoad(file, out var handle)) continue;
                    if (NativeLibrary.TryGetExport(handle, "omp_set_num_threads", out var set) && NativeLibrary.TryGetExport(handle, "omp_get_max_threads", out var get))
                        return new OpenMp(Marshal.GetDelegateForFunctionPointer<SetNumThreadsFunction>(set), Marshal.GetDelegateForFunctionPointer<GetMaxThreadsFunction>(get));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            // No usable runtime: scoring keeps LibTorch's thread setting.
        }
        return null;
    }

    /// <summary>Where LibTorch's native libraries are: next to the app or TorchSharp, flat or under runtimes/RID/native.</summary>
    private static IEnumerable<string> SearchDirectories()
    {
        string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        foreach (string dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" }.Where(d => d.Length > 0).Distinct())
        {
            yield return dir;
            yield return Path.Combine(dir, "runtimes", rid, "native");
        }
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void SetNumThreadsFunction(int threads);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int GetMaxThreadsFunction();

    internal sealed class OpenMp(SetNumThreadsFunction setNumThreads, GetMaxThreadsFunction getMaxThreads)
    {
        public void SetNumThreads(int threads) => setNumThreads(threads);

        public int GetMaxThreads() => getMaxThreads();
    }
}
