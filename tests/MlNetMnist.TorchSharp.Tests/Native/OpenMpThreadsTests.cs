using MlNetMnist.Native;
using TorchSharp;

namespace MlNetMnist.Tests.Native;

/// <summary>Single-row scoring runs LibTorch on the calling thread alone, without touching other threads or the process-wide setting.</summary>
public class OpenMpThreadsTests
{
    [Fact]
    public void TheScopeMakesTheCallingThreadSingleThreadedAndRestoresIt()
    {
        LibTorchNative.EnsureLoaded();
        Assert.True(OpenMpThreads.Available, "LibTorch's OpenMP runtime (libgomp-*.so.1 next to libtorch_cpu) was not found");
        int before = 0, inside = 0, other = 0, after = 0;
        var thread = new Thread(() =>
        {
            torch.set_num_threads(2);
            before = torch.get_num_threads();
            using (OpenMpThreads.SingleThreaded())
            {
                inside = torch.get_num_threads();
                // Another thread keeps its own count meanwhile.
                var neighbour = new Thread(() => other = torch.get_num_threads());
                neighbour.Start();
                neighbour.Join();
            }
            after = torch.get_num_threads();
        });
        thread.Start();
        thread.Join();
        Assert.Equal(2, before);
        Assert.Equal(1, inside);
        Assert.Equal(2, other);
        Assert.Equal(2, after);
    }

    [Fact]
    public void ScopesOnManyThreadsAtOnceEachRestoreTheirOwnThread()
    {
        LibTorchNative.EnsureLoaded();
        torch.set_num_threads(2);
        var counts = new (int Inside, int After)[8];
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                using (OpenMpThreads.SingleThreaded()) counts[t].Inside = torch.get_num_threads();
                counts[t].After = torch.get_num_threads();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.All(counts, c => Assert.Equal((1, 2), c));
    }
}
