namespace MlNetMnist.Tests.Shared;

/// <summary>
/// The reliability tests: run on their own, after the parallel test collections, because they measure
/// the process's resident memory, compare trainings bit for bit and time Ctrl+C, all of which other
/// tests running at the same time would disturb. They share one small trained model.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection : ICollectionFixture<ReliabilityModelFixture>
{
    public const string Name = "MlNetMnist.Tests.Reliability (serial)";
}
