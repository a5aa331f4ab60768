using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// dotnet run --project samples/ModelConsumer -c Release -- model.zip IMAGE|DIR...
// Prints "path<TAB>label<TAB>probability" per image. Needs a model.zip saved with image input
// (DigitWebApp's, 'MlNetMnist.Cli train --images', or any model with DigitImageInput in front).
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ModelConsumer model.zip IMAGE|DIR...");
    return 2;
}

var ml = new MLContext(seed: 1);
var model = ml.Model.Load(args[0], out var schema);
if (schema.GetColumnOrNull("ImagePath")?.Type is not TextDataViewType)
{
    Console.Error.WriteLine($"error: {args[0]} does not take image paths (its input is: {string.Join(", ", schema.Select(c => c.Name))}).");
    return 1;
}

var files = args.Skip(1).SelectMany<string, string>(p => Directory.Exists(p)
        ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Where(IsImage).Order(StringComparer.Ordinal)
        : [p])
    .Select(Path.GetFullPath).ToList();

// The saved pipeline maps "Label" to a key first, so the rows need a Label of the type it was trained with.
var label = schema.GetColumnOrNull("Label");
IDataView input = label?.Type switch
{
    null or TextDataViewType => ml.Data.LoadFromEnumerable(files.Select(f => new TextLabelRow { ImagePath = f })),
    NumberDataViewType t when t.RawType == typeof(uint) => ml.Data.LoadFromEnumerable(files.Select(f => new UIntLabelRow { ImagePath = f })),
    var other => throw new NotSupportedException($"Label type {other} is not handled by this sample."),
};

var scored = model.Transform(input);
string[] classes = ClassNames(scored.Schema);
var scores = scored.GetColumn<float[]>("Score").ToList();
for (int i = 0; i < files.Count; i++)
{
    int best = Array.IndexOf(scores[i], scores[i].Max());
    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0}\t{1}\t{2:F4}", files[i], classes[best], scores[i][best]));
}
return 0;

static bool IsImage(string path) => Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp";

// Slot i of Score is key i+1 of the label; after MapValueToKey the Label column carries the key values.
static string[] ClassNames(DataViewSchema schema)
{
    var column = schema["Label"];
    if (column.Type is not KeyDataViewType) throw new InvalidOperationException("The model does not map Label to a key.");
    var type = ((VectorDataViewType)column.Annotations.Schema["KeyValues"].Type).ItemType;
    if (type is TextDataViewType)
    {
        VBuffer<ReadOnlyMemory<char>> text = default;
        column.GetKeyValues(ref text);
        return text.DenseValues().Select(v => v.ToString()).ToArray();
    }
    VBuffer<uint> numbers = default;
    column.GetKeyValues(ref numbers);
    return numbers.DenseValues().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
}

internal sealed class TextLabelRow
{
    public string ImagePath { get; set; } = "";

    public string Label { get; set; } = "";
}

internal sealed class UIntLabelRow
{
    public string ImagePath { get; set; } = "";

    public uint Label { get; set; }
}
