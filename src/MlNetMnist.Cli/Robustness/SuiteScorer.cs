using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Images;
using MlNetMnist.Serving;

namespace MlNetMnist.Cli.Robustness;

/// <summary>
/// Predicts the label of image files with a saved model. A model that takes image paths is loaded and
/// scored by ML.NET alone (<c>mlContext.Model.Load</c>, <c>Transform</c> of a path column: whatever
/// preparation the images get is inside model.zip); a model that reads pixel vectors gets its images
/// prepared by the library's <see cref="DigitImagePreprocessor"/> (through <see cref="DigitPredictionService"/>).
/// </summary>
internal sealed class SuiteScorer : IDisposable
{
    private const int BatchSize = 512;
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _schema;
    private readonly DigitPredictionService? _service;

    public SuiteScorer(string modelPath, int? threads)
    {
        _ml = new MLContext(seed: 1);
        _ml.SetOnnxThreads(threads);
        _model = _ml.Model.Load(modelPath, out _schema);
        TakesPaths = _schema.GetColumnOrNull(DefaultColumnNames.ImagePath)?.Type is TextDataViewType;
        if (!TakesPaths) _service = new DigitPredictionService(_ml, _model, _schema, new DigitPredictionServiceOptions { MaximumRetainedEngines = 1 });
    }

    /// <summary>True when the model takes image paths (scored by ML.NET alone).</summary>
    public bool TakesPaths { get; }

    /// <summary>How the images reach the model, for the report.</summary>
    public string Description => TakesPaths
        ? "model takes image paths: loaded and scored by ML.NET alone (mlContext.Model.Load + Transform)"
        : "model reads pixels: images prepared by the library's DigitImagePreprocessor (DigitPredictionService)";

    /// <summary>The predicted class name of each file, in order.</summary>
    public IReadOnlyList<string> Predict(IReadOnlyList<string> paths)
    {
        if (_service is not null)
            return _service.PredictImageFiles(paths, BatchSize).Select(p => p.Prediction?.Label ?? throw new InvalidDataException(p.Error)).ToList();
        var rows = ModelInputRows.For(_schema, DefaultColumnNames.Label, DefaultColumnNames.Features, 0);
        var result = new List<string>(paths.Count);
        IReadOnlyList<string>? names = null;
        foreach (var chunk in paths.Chunk(BatchSize))
        {
            var scored = _model.Transform(rows.Paths(_ml, chunk, DefaultColumnNames.ImagePath));
            foreach (var scores in scored.GetColumn<float[]>(DefaultColumnNames.Score))
            {
                names ??= ClassNames.FromSchema(scored.Schema, scores.Length);
                int best = 0;
                for (int c = 1; c < scores.Length; c++) if (scores[c] > scores[best]) best = c;
                result.Add(names[best]);
            }
        }
        return result;
    }

    public void Dispose()
    {
        _service?.Dispose();
        (_model as IDisposable)?.Dispose();
    }
}
