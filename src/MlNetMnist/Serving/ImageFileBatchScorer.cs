using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Serving;

/// <summary>
/// Scores image files in batches through the pixel part of a model (one <c>Transform</c> per batch
/// rather than one prediction engine call per image). A file that cannot be read is reported on its
/// own; if a whole batch fails, its files are scored one by one so that only the bad ones fail.
/// </summary>
/// <remarks>Images with no ink (<paramref name="isEmpty"/>) get <see cref="DigitPrediction.Empty"/> without being scored.</remarks>
internal sealed class ImageFileBatchScorer(MLContext ml, ITransformer pixelModel, ModelInputRows rows, string scoreColumnName, string? outOfDistributionColumnName,
    Func<string, (float[] Pixels, float Ink)> prepare, Func<float, bool> isEmpty, Func<ScoreRow, DigitPrediction> toPrediction)
{
    public IReadOnlyList<ImageFilePrediction> Score(IReadOnlyList<(string Path, string? Error)> inputs)
    {
        var results = new ImageFilePrediction?[inputs.Count];
        var ready = new List<(int Index, string FullPath, float[] Pixels)>();
        for (int i = 0; i < inputs.Count; i++)
        {
            var (path, error) = inputs[i];
            if (error is not null)
            {
                results[i] = new ImageFilePrediction(path, null, error);
                continue;
            }
            try
            {
                string full = Path.GetFullPath(path);
                var (pixels, ink) = prepare(full);
                if (isEmpty(ink)) results[i] = new ImageFilePrediction(path, DigitPrediction.Empty, null);
                else ready.Add((i, full, pixels));
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException or NotSupportedException)
            {
                results[i] = new ImageFilePrediction(path, null, e.Message);
            }
        }

        try
        {
            var scores = ScoreBatch(ready);
            for (int k = 0; k < ready.Count; k++)
                results[ready[k].Index] = new ImageFilePrediction(inputs[ready[k].Index].Path, toPrediction(scores[k]), null);
        }
        catch (Exception) when (ready.Count > 1)
        {
            foreach (var item in ready)
                results[item.Index] = ScoreOne(inputs[item.Index].Path, item);
        }
        catch (Exception e) when (ready.Count == 1 && e is not OutOfMemoryException)
        {
            results[ready[0].Index] = new ImageFilePrediction(inputs[ready[0].Index].Path, null, $"{ready[0].FullPath}: {e.Message}");
        }
        return results.Select(r => r!).ToArray();
    }

    private ImageFilePrediction ScoreOne(string displayPath, (int Index, string FullPath, float[] Pixels) item)
    {
        try
        {
            return new ImageFilePrediction(displayPath, toPrediction(ScoreBatch([item])[0]), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ImageFilePrediction(displayPath, null, $"{item.FullPath}: {e.Message}");
        }
    }

    private List<ScoreRow> ScoreBatch(IReadOnlyList<(int Index, string FullPath, float[] Pixels)> items)
    {
        if (items.Count == 0) return [];
        var view = rows.Pixels(ml, items.Select(i => i.Pixels).ToArray());
        var scored = pixelModel.Transform(view);
        var scores = scored.GetColumn<float[]>(scoreColumnName).ToList();
        if (scores.Count != items.Count) throw new InvalidOperationException($"The model returned {scores.Count} rows for {items.Count} images.");
        var ood = outOfDistributionColumnName is null ? null : scored.GetColumn<float[]>(outOfDistributionColumnName).ToList();
        return scores.Select((s, i) => new ScoreRow { Score = s, OutOfDistributionScore = ood?[i] ?? [] }).ToList();
    }
}
