using System.Globalization;
using System.Reflection;
using MlNetMnist.Networks;
using MlNetMnist.SavedModels;

namespace MlNetMnist.Reports;

/// <summary>
/// What a report is about: a title, when it was made, the library version, and named values that
/// describe the model (its options) and the data.
/// </summary>
public sealed record ReportMetadata
{
    /// <summary>The report's title. Default <c>Classification report</c>.</summary>
    public string Title { get; init; } = "Classification report";

    /// <summary>When the report was made (UTC). Default: now.</summary>
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The version of this library that made the report. Default: <see cref="CurrentLibraryVersion"/>.</summary>
    public string LibraryVersion { get; init; } = CurrentLibraryVersion;

    /// <summary>The model: its options, network, file.</summary>
    public IReadOnlyList<MetadataEntry> Model { get; init; } = [];

    /// <summary>The data: where it came from, rows, columns.</summary>
    public IReadOnlyList<MetadataEntry> Data { get; init; } = [];

    /// <summary>The informational version of the MlNetMnist assembly (e.g. <c>0.1.0</c>).</summary>
    public static string CurrentLibraryVersion { get; } =
        typeof(ReportMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ReportMetadata).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>
    /// The options of a trainer as metadata entries, named like the options object's public properties:
    /// every option that is set and is a value (numbers, names, settings), leaving out unset (null)
    /// ones and run-time objects such as callbacks and cancellation tokens.
    /// </summary>
    /// <param name="options">The options (for example <c>TorchCnnTransformer.Options</c>).</param>
    public static IReadOnlyList<MetadataEntry> DescribeOptions(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && IsSetting(p.PropertyType))
            .Select(p => (p.Name, Value: p.GetValue(options)))
            .Where(p => p.Value is not null)
            .Select(p => new MetadataEntry(p.Name, Format(p.Value)))
            .ToArray();
    }

    /// <summary>True for the types of options worth showing: primitives, enums, text, and records of them (not delegates or other structs).</summary>
    private static bool IsSetting(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)) return true;
        return type.IsClass && !typeof(Delegate).IsAssignableFrom(type);
    }

    /// <summary>
    /// A network as metadata entries: its name, input shape, classes and layers.
    /// </summary>
    /// <param name="network">The network's definition.</param>
    public static IReadOnlyList<MetadataEntry> DescribeNetwork(NetworkDefinition network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return
        [
            new("Network", network.Name),
            new("Input shape", $"{network.Channels}x{network.Height}x{network.Width}"),
            new("Classes", network.Classes.ToString(CultureInfo.InvariantCulture)),
            new("Layers", network.Layers.Count.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    /// <summary>The calibration of a classifier's outputs as metadata entries: its temperature and out-of-distribution calibration.</summary>
    /// <param name="calibration">The calibration (for example <c>TorchCnnTransformer.Calibration</c>).</param>
    public static IReadOnlyList<MetadataEntry> DescribeCalibration(Calibration.OutputCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        var ci = CultureInfo.InvariantCulture;
        var entries = new List<MetadataEntry> { new("Temperature", calibration.Temperature.ToString("0.###", ci)) };
        if (calibration.OutOfDistribution is { } ood)
            entries.Add(new("Out-of-distribution score", string.Format(ci, "calibrated to flag {0:P1} of {1:N0} held-out digits", ood.FlagRate, ood.CalibrationRows)));
        return entries;
    }

    /// <summary>
    /// A saved model file as metadata entries: its path, size and time, and, for a model saved from
    /// a TorchCnn model, the network, input shape, number of classes and producer stored in it.
    /// </summary>
    /// <param name="modelPath">An ML.NET model file (<c>model.zip</c>).</param>
    public static IReadOnlyList<MetadataEntry> DescribeModelFile(string modelPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        var file = new FileInfo(Path.GetFullPath(modelPath));
        var entries = new List<MetadataEntry> { new("Model file", file.FullName) };
        if (file.Exists)
        {
            entries.Add(new("File size", string.Create(CultureInfo.InvariantCulture, $"{file.Length / 1024.0:N1} KiB")));
            entries.Add(new("Saved", file.LastWriteTimeUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)));
        }
        var onnx = SavedModelMetadata.Read(file.FullName);
        if (onnx.TryGetValue("network", out var network)) entries.Add(new("Network", network));
        if (onnx.TryGetValue("input_shape", out var shape)) entries.Add(new("Input shape", shape));
        if (onnx.TryGetValue("class_names", out var names))
            entries.Add(new("Classes", names.Split('\n').Length.ToString(CultureInfo.InvariantCulture)));
        if (onnx.TryGetValue("temperature", out var temperature)) entries.Add(new("Temperature", temperature));
        if (onnx.TryGetValue("producer", out var producer)) entries.Add(new("Producer", producer));
        return entries;
    }

    /// <summary>True when both have the same values and entries in the same order.</summary>
    /// <param name="other">The other metadata.</param>
    public bool Equals(ReportMetadata? other) =>
        other is not null
        && Title == other.Title
        && CreatedAt == other.CreatedAt
        && LibraryVersion == other.LibraryVersion
        && Model.SequenceEqual(other.Model)
        && Data.SequenceEqual(other.Data);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Title, CreatedAt, LibraryVersion, Model.Count, Data.Count);

    private static string Format(object? value) => value switch
    {
        null => "(none)",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
