using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Reports;

/// <summary>Reads the out-of-distribution scores and top probabilities of scored data, for <see cref="OutOfDistributionTradeOff"/>.</summary>
internal static class OutOfDistributionReader
{
    /// <summary>True when <paramref name="schema"/> has the out-of-distribution column: a known-size vector of Single whose first slot is the score.</summary>
    public static bool HasScore(DataViewSchema schema, string columnName) =>
        schema.GetColumnOrNull(columnName)?.Type is VectorDataViewType { IsKnownSize: true, Size: >= 1, ItemType: NumberDataViewType item } && item == NumberDataViewType.Single;

    /// <summary>The score (first slot of <paramref name="oodColumnName"/>) and the top probability (largest of <paramref name="scoreColumnName"/>) of every row.</summary>
    /// <exception cref="ArgumentException">A column is missing or has another type; the message names it.</exception>
    public static (float[] Scores, float[] TopProbabilities) Read(IDataView scored, string scoreColumnName, string oodColumnName, int classCount)
    {
        var schema = scored.Schema;
        if (!HasScore(schema, oodColumnName))
            throw new ArgumentException($"The scored data has no out-of-distribution column '{oodColumnName}' (a known-size vector of Single); a model calibrated with an out-of-distribution score adds it.", nameof(scored));
        var score = schema.GetColumnOrNull(scoreColumnName) is { } s && ColumnReaders.IsFloatVector(s, classCount) ? s
            : throw new ArgumentException($"The scored data has no score column '{scoreColumnName}' of {classCount} Single values.", nameof(scored));
        var ood = schema[oodColumnName];
        var scores = new List<float>();
        var top = new List<float>();
        using var cursor = scored.GetRowCursor([score, ood]);
        var readScores = ColumnReaders.Scores(cursor, score, classCount);
        var oodGetter = cursor.GetGetter<VBuffer<float>>(ood);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            oodGetter(ref buffer);
            scores.Add(buffer.GetItemOrDefault(0));
            top.Add(readScores().Max());
        }
        return (scores.ToArray(), top.ToArray());
    }
}
