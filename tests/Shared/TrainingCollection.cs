namespace MlNetMnist.Tests.Shared;

/// <summary>
/// The test classes of Reports/ and Cli/ that train a network: run one after the other, so that two
/// trainings do not compete for the cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TrainingCollection
{
    public const string Name = "MlNetMnist.Tests.Reports+Cli training";
}
