using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Tests;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-modelfile");
    private readonly MLContext _ml = new(seed: 1);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IDataView SmallData() => _ml.Data.LoadFromEnumerable(new[]
    {
        new Row { Label = 1, Features = [1, 2] },
        new Row { Label = 2, Features = [3, 4] },
    });

    private (ITransformer Model, DataViewSchema Schema) SmallModel()
    {
        var data = SmallData();
        return (_ml.Transforms.Conversion.MapValueToKey("Label").Append(_ml.Transforms.CopyColumns("Copy", "Features")).Fit(data), data.Schema);
    }

    [Fact]
    public void SaveWritesALoadableModelReplacingAnExistingFileAndLeavesNoTemporaryFile()
    {
        var (model, schema) = SmallModel();
        string path = Path.Combine(_dir, "model.zip");
        File.WriteAllText(path, "an older model");

        ModelFile.Save(_ml, model, schema, path);

        Assert.Equal(new[] { "model.zip" }, Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
        var loaded = ModelFile.Load(_ml, path, out var loadedSchema);
        Assert.NotNull(loadedSchema.GetColumnOrNull("Features"));
        var output = loaded.Transform(SmallData());
        Assert.Equal(new float[] { 3, 4 }, output.GetColumn<float[]>("Copy").Last());
    }

    [Fact]
    public void SaveCreatesTheFolder()
    {
        var (model, schema) = SmallModel();
        string path = Path.Combine(_dir, "a", "b", "model.zip");
        ModelFile.Save(_ml, model, schema, path);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void FailedSaveLeavesTheExistingFileUntouchedAndNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "model.zip");
        byte[] original = [0x50, 0x4b, 1, 2, 3, 4, 5];
        File.WriteAllBytes(path, original);

        var e = Assert.ThrowsAny<Exception>(() => ModelFile.Save(_ml, new ThrowingTransformer(), SmallData().Schema, path));
        Assert.Contains(ThrowingTransformer.Message, e.ToString());

        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.zip" }, Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void FailedSaveToANewPathLeavesNoFile()
    {
        string path = Path.Combine(_dir, "model.zip");
        Assert.ThrowsAny<Exception>(() => ModelFile.Save(_ml, new ThrowingTransformer(), null, path));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void LoadOfAMissingFileNamesIt()
    {
        string path = Path.Combine(_dir, "missing.zip");
        var e = Assert.Throws<FileNotFoundException>(() => ModelFile.Load(_ml, path, out _));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void LoadOfAnEmptyFileNamesIt()
    {
        string path = Path.Combine(_dir, "empty.zip");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(_ml, path, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void LoadOfAFileThatIsNotAZipNamesIt()
    {
        string path = Path.Combine(_dir, "model.zip");
        File.WriteAllText(path, "this is not a model");
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(_ml, path, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a zip", e.Message);
    }

    [Fact]
    public void LoadOfAZipThatIsNotAModelNamesItAndKeepsMlNetsError()
    {
        string path = Path.Combine(_dir, "other.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("hello");
        }
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(_ml, path, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a readable ML.NET model", e.Message);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public void LoadOfATruncatedModelNamesIt()
    {
        var (model, schema) = SmallModel();
        string path = Path.Combine(_dir, "model.zip");
        ModelFile.Save(_ml, model, schema, path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(_ml, path, out _));
        Assert.Contains(path, e.Message);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public void LoadOfAFolderNamesIt()
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(_ml, _dir, out _));
        Assert.Contains(_dir, e.Message);
    }

    private sealed class Row
    {
        public uint Label { get; set; }

        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>A transformer whose saving fails half-way, like a model that cannot be written.</summary>
    private sealed class ThrowingTransformer : ITransformer
    {
        public const string Message = "saving this transformer always fails";

        public bool IsRowToRowMapper => true;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

        public IDataView Transform(IDataView input) => input;

        // By the time this runs ML.NET has already written parts of the archive.
        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new IOException(Message);
    }
}
