using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Images;
using MlNetMnist.Serving;

namespace MlNetMnist.Cli;

/// <summary>The outcome for one input file: a prediction or an error.</summary>
/// <param name="Path">The path as given.</param>
/// <param name="Prediction">The prediction, or null when the file failed.</param>
/// <param name="Error">What went wrong (the message names the file), or null.</param>
internal sealed record PredictResult(string Path, DigitPrediction? Prediction, string? Error);

/// <summary>
/// Scores image files in batches with a loaded model: the files are turned into pixels by
/// <see cref="DigitImagePreprocessor"/> (grayscale, polarity, resize or MNIST-style centring) and the
/// pixel part of the model scores them, whether the model was saved with image input or not. A file
/// that cannot be read is reported on its own; if a batch still fails, its files are scored one by one.
/// </summary>
internal sealed class BatchImageScorer
{
    private readonly MLContext _ml;
    private readonly DigitPredictionService _service;
    private readonly ITransformer _pixelModel;
    private readonly ModelInputRows _rows;
    private readonly string _scoreColumn;

    public BatchImageScorer(MLContext ml, ITransformer model, DataViewSchema inputSchema, DigitPredictionService service, DigitPredictionServiceOptions options)
    {
        _ml = ml;
        _service = service;
        _scoreColumn = options.ScoreColumnName;
        var (imagePart, pixelModel) = ImageInputSplitter.Split(model);
        _pixelModel = pixelModel;
        var pixelSchema = imagePart?.GetOutputSchema(inputSchema) ?? inputSchema;
        _rows = ModelInputRows.For(pixelSchema, options.LabelColumnName, options.FeatureColumnName, service.InputSize);
    }

    public IReadOnlyList<PredictResult> Score(IReadOnlyList<ImageInput> inputs)
    {
        var results = new PredictResult?[inputs.Count];
        var ready = new List<(int Index, string Path, float[] Pixels)>();
        for (int i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (input.Error is not null)
            {
                results[i] = new PredictResult(input.Path, null, input.Error);
                continue;
            }
            try
            {
                string full = Path.GetFullPath(input.Path);
                ready.Add((i, full, _service.Preprocessor.ProcessFile(full)));
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException or NotSupportedException)
            {
                results[i] = new PredictResult(input.Path, null, e.Message);
            }
        }

        try
        {
            var scores = ScoreBatch(ready);
            for (int k = 0; k < ready.Count; k++)
                results[ready[k].Index] = new PredictResult(inputs[ready[k].Index].Path, _service.ToPrediction(scores[k]), null);
        }
        catch (Exception) when (ready.Count > 1)
        {
            foreach (var item in ready)
                results[item.Index] = ScoreOne(inputs[item.Index].Path, item);
        }
        catch (Exception e) when (ready.Count == 1 && e is not OutOfMemoryException)
        {
            results[ready[0].Index] = new PredictResult(inputs[ready[0].Index].Path, null, $"{ready[0].Path}: {CliConsole.Describe(e)}");
        }
        return results.Select(r => r!).ToArray();
    }

    private PredictResult ScoreOne(string displayPath, (int Index, string Path, float[] Pixels) item)
    {
        try
        {
            return new PredictResult(displayPath, _service.ToPrediction(ScoreBatch([item])[0]), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new PredictResult(displayPath, null, $"{item.Path}: {CliConsole.Describe(e)}");
        }
    }

    private List<float[]> ScoreBatch(IReadOnlyList<(int Index, string Path, float[] Pixels)> items)
    {
        if (items.Count == 0) return [];
        var view = _rows.Pixels(_ml, items.Select(i => i.Pixels).ToArray());
        var scores = _pixelModel.Transform(view).GetColumn<float[]>(_scoreColumn).ToList();
        if (scores.Count != items.Count) throw new InvalidOperationException($"The model returned {scores.Count} rows for {items.Count} images.");
        return scores;
    }
}
