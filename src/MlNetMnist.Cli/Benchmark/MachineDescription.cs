using System.Runtime.InteropServices;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// CPU model and its widest vector instructions (the project's machines differ ~2x between AVX-512
/// and AVX2 on this workload, and their model name alone does not say which), cores, memory, OS and
/// runtime of this machine, for benchmark reports.
/// </summary>
internal sealed record MachineDescription(string Cpu, string Vector, int Cores, double MemoryGiB, string Os, string Runtime)
{
    public static MachineDescription Read()
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        double memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return new MachineDescription(cpu, VectorInstructions(), Environment.ProcessorCount, memory, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }

    /// <summary>AVX-512, AVX2 or the widest vector instructions .NET reports for this CPU.</summary>
    private static string VectorInstructions() =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "AVX-512"
        : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "AVX2"
        : System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "Arm AdvSIMD"
        : "no AVX2";

    public override string ToString() => $"{Cpu} ({Vector}), {Cores} cores, {MemoryGiB:F0} GiB, {Os}, {Runtime}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} (LibTorch CPU)";
}
