using System.Runtime.InteropServices;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// CPU model and its widest vector instructions (the project's machines differ ~2x between AVX-512
/// and AVX2 on this workload, and their model name alone does not say which), cores, memory, OS and
/// runtime of this machine, for benchmark reports. Where the model name is as vague as a virtual
/// machine's "AMD EPYC", the CPU family and model numbers are added (e.g. family 25 and 26 are two
/// AMD generations that both report AVX-512), so that two runs can be seen to come from different CPUs.
/// </summary>
internal sealed record MachineDescription(string Cpu, string Vector, int Cores, double MemoryGiB, string Os, string Runtime)
{
    public static MachineDescription Read()
    {
        string cpu = File.Exists("/proc/cpuinfo") ? CpuName(File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToList()) : "unknown CPU";
        double memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return new MachineDescription(cpu, VectorInstructions(), Environment.ProcessorCount, memory, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }

    /// <summary>
    /// The CPU's name from the first processor's lines of <c>/proc/cpuinfo</c>: its model name, followed by its
    /// family and model numbers when the file gives them (<c>AMD EPYC (family 26, model 2)</c>).
    /// </summary>
    internal static string CpuName(IReadOnlyList<string> cpuinfoLines)
    {
        string? Field(string name) => cpuinfoLines
            .Select(l => l.Split(':', 2))
            .FirstOrDefault(p => p.Length == 2 && p[0].Trim() == name)?[1].Trim();
        string name = Field("model name") is { Length: > 0 } modelName ? modelName : "unknown CPU";
        string? family = Field("cpu family"), model = Field("model");
        return family is { Length: > 0 } && model is { Length: > 0 } ? $"{name} (family {family}, model {model})" : name;
    }

    /// <summary>AVX-512, AVX2 or the widest vector instructions .NET reports for this CPU.</summary>
    private static string VectorInstructions() =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "AVX-512"
        : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "AVX2"
        : System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "Arm AdvSIMD"
        : "no AVX2";

    public override string ToString() => $"{Cpu} ({Vector}), {Cores} cores, {MemoryGiB:F0} GiB, {Os}, {Runtime}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} (LibTorch CPU)";
}
