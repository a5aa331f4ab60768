namespace MlNetMnist.Reports;

/// <summary>One named value of a report's metadata, such as an option of the model or a property of the data.</summary>
/// <param name="Name">What the value is, e.g. <c>Epochs</c>.</param>
/// <param name="Value">The value as text.</param>
public sealed record MetadataEntry(string Name, string Value);
