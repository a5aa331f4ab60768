using System.Runtime.InteropServices;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>CPU model, cores, memory, OS and runtime of this machine, for benchmark reports.</summary>
internal sealed record MachineDescription(string Cpu, int Cores, double MemoryGiB, string Os, string Runtime)
{
    public static MachineDescription Read()
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        double memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return new MachineDescription(cpu, Environment.ProcessorCount, memory, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }

    public override string ToString() => $"{Cpu}, {Cores} cores, {MemoryGiB:F0} GiB, {Os}, {Runtime}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} (LibTorch CPU)";
}
