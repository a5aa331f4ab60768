namespace MlNetMnist.Tests.Shared;

/// <summary>
/// The report tests: one MNIST model and one text-labelled model, each trained once for all of them,
/// and the tests run one after the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReportCollection : ICollectionFixture<MnistReportFixture>, ICollectionFixture<TextLabelReportFixture>
{
    public const string Name = "MlNetMnist.Tests.Reports report";
}
