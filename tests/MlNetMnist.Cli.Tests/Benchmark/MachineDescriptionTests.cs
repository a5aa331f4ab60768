using MlNetMnist.Cli.Benchmark;

namespace MlNetMnist.Tests.Cli.Benchmark;

/// <summary>The CPU name benchmark reports print, read from <c>/proc/cpuinfo</c> lines.</summary>
public class MachineDescriptionTests
{
    [Fact]
    public void AVagueModelNameGetsTheFamilyAndModelNumbers()
    {
        string[] lines = ["processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 26", "model\t\t: 2", "model name\t: AMD EPYC", "stepping\t: 1"];

        Assert.Equal("AMD EPYC (family 26, model 2)", MachineDescription.CpuName(lines));
    }

    [Fact]
    public void WithoutFamilyAndModelTheNameStandsAloneAndWithoutANameItSaysUnknown()
    {
        Assert.Equal("Neoverse-N1", MachineDescription.CpuName(["processor\t: 0", "model name\t: Neoverse-N1"]));
        Assert.Equal("unknown CPU (family 6, model 85)", MachineDescription.CpuName(["cpu family\t: 6", "model\t\t: 85"]));
    }
}
