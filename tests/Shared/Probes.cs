using MlNetMnist.Networks;
using TorchSharp;

namespace MlNetMnist.Tests.Shared;

/// <summary>What the reliability tests measure: resident memory, live TorchSharp tensors, weights bit for bit.</summary>
internal static class Probes
{
    /// <summary>The process's resident set size (VmRSS of /proc/self/status) in bytes, after a full garbage collection.</summary>
    public static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException("No VmRSS line in /proc/self/status.");
    }

    /// <summary>
    /// TorchSharp tensors created and not disposed on this thread. A tensor left to the finalizer stays
    /// counted here (the finalizer runs on another thread), so this catches missing deterministic disposal.
    /// </summary>
    public static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    /// <summary>Megabytes, for the test log.</summary>
    public static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " MB";

    /// <summary>Fails unless <paramref name="actual"/> has the same tensors as <paramref name="expected"/>, bit for bit.</summary>
    public static void AssertBitIdentical(NetworkWeights expected, NetworkWeights actual)
    {
        Assert.Equal(expected.Names.Order(), actual.Names.Order());
        foreach (string name in expected.Names)
        {
            var a = expected[name];
            var b = actual[name];
            Assert.Equal(a.Shape, b.Shape);
            for (int i = 0; i < a.Values.Length; i++)
                if (BitConverter.SingleToInt32Bits(a.Values[i]) != BitConverter.SingleToInt32Bits(b.Values[i]))
                    Assert.Fail($"'{name}'[{i}] differs: {a.Values[i]:R} vs {b.Values[i]:R}");
        }
    }
}
