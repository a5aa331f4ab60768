using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using MlNetMnist.Reports;
using MlNetMnist.Training;

namespace MlNetMnist.Cli;

/// <summary>
/// The non-digit images of a report's out-of-distribution trade-off: made like outlier exposure's
/// (<see cref="NonDigitSynthesis"/>: noise, textures, printed letters and symbols from the system's fonts,
/// several digits side by side, parts of digits) from the first evaluated digits, for a model with an
/// out-of-distribution score and 28x28 inputs.
/// </summary>
internal static class NonDigitReportImages
{
    /// <summary>Non-digit images made for a report.</summary>
    public const int Count = 1000;

    /// <summary>The evaluated digits they are made from (the first ones).</summary>
    private const int SourceDigits = 2000;

    private const int Seed = 13, Side = 28, Pixels = Side * Side;

    /// <summary>
    /// Sets <see cref="ReportOptions.NonDigitData"/> and its description when <paramref name="model"/> scores
    /// <paramref name="test"/> with an out-of-distribution score and the test features are 28x28 pixel rows;
    /// otherwise leaves <paramref name="options"/> as it is.
    /// </summary>
    public static void AddTo(ReportOptions options, ITransformer model, IDataView test)
    {
        if (options.NonDigitData is not null) return;
        var output = model.GetOutputSchema(test.Schema);
        if (output.GetColumnOrNull(options.OutOfDistributionColumnName) is null) return;
        var features = test.Schema.GetColumnOrNull(options.FeatureColumnName);
        var label = test.Schema.GetColumnOrNull(options.LabelColumnName);
        if (features?.Type is not VectorDataViewType { IsKnownSize: true, Size: Pixels, ItemType: NumberDataViewType item } || item != NumberDataViewType.Single) return;
        if (label?.Type is not NumberDataViewType { RawType: var labelType } || labelType != typeof(uint)) return;

        float[] digits = ReadDigits(test, features.Value);
        if (digits.Length == 0) return;
        using var synthesis = new NonDigitSynthesis(digits, fontFiles: null, Seed);
        float[] images = synthesis.Create(Count);
        var bytes = Array.ConvertAll(images, ColumnReaders.ToByte);
        options.NonDigitData = new InMemoryImageDataView(bytes, Pixels, new uint[Count], options.LabelColumnName, options.FeatureColumnName);
        options.NonDigitDescription = string.Format(CultureInfo.InvariantCulture,
            "{0:N0} images made from the first {1:N0} evaluated digits and {2}: noise, textures, printed letters and symbols, two or three digits side by side, parts of a digit",
            Count, digits.Length / Pixels, synthesis.FontCount == 0 ? "no font (no letters)" : $"{synthesis.FontCount} system font faces");
    }

    private static float[] ReadDigits(IDataView test, DataViewSchema.Column features)
    {
        var pixels = new List<float>(SourceDigits * Pixels);
        using var cursor = test.GetRowCursor([features]);
        var getter = cursor.GetGetter<VBuffer<float>>(features);
        VBuffer<float> buffer = default;
        for (int row = 0; row < SourceDigits && cursor.MoveNext(); row++)
        {
            getter(ref buffer);
            pixels.AddRange(buffer.DenseValues());
        }
        return pixels.ToArray();
    }
}
