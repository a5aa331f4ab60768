using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Serving;

/// <summary>
/// Scores pixel vectors with <see cref="PredictionEngine{TSrc, TDst}"/>s taken from an
/// <see cref="ObjectPool{T}"/>: a <see cref="PredictionEngine{TSrc, TDst}"/> is not thread-safe, so each
/// call borrows one and returns it. The engines are created with
/// <see cref="PredictionEngineOptions.OwnsTransformer"/> = false: when the pool drops a surplus engine
/// (or is disposed) and disposes it, the shared model is left alone.
/// </summary>
internal sealed class PooledPixelScorer<TLabel> : IPixelScorer
{
    private readonly ObjectPool<PredictionEngine<PixelRow<TLabel>, ScoreRow>> _pool;

    public PooledPixelScorer(MLContext ml, ITransformer pixelModel, ModelInputRows<TLabel> rows, string scoreColumnName, string? outOfDistributionColumnName, int maximumRetained)
    {
        var output = SchemaDefinition.Create(typeof(ScoreRow));
        output[nameof(ScoreRow.Score)].ColumnName = scoreColumnName;
        if (outOfDistributionColumnName is null) output.Remove(output[nameof(ScoreRow.OutOfDistributionScore)]);
        else output[nameof(ScoreRow.OutOfDistributionScore)].ColumnName = outOfDistributionColumnName;
        var policy = new EnginePolicy(ml, pixelModel, new PredictionEngineOptions
        {
            OwnsTransformer = false,
            InputSchemaDefinition = rows.PixelSchema(),
            OutputSchemaDefinition = output,
        });
        // The provider makes a pool that disposes the engines it drops and, when disposed, those it holds.
        _pool = new DefaultObjectPoolProvider { MaximumRetained = maximumRetained }.Create(policy);
        // Fail now, not on the first request, when the model cannot score these rows.
        _pool.Return(_pool.Get());
    }

    public ScoreRow Score(float[] pixels)
    {
        var engine = _pool.Get();
        try
        {
            // A new output row each time: the engine would otherwise refill (and so share) the arrays it made.
            var row = new ScoreRow();
            engine.Predict(ModelInputRows<TLabel>.NewRow(pixels), ref row);
            return row;
        }
        finally
        {
            _pool.Return(engine);
        }
    }

    public void Dispose() => (_pool as IDisposable)?.Dispose();

    /// <summary>Creates engines (one at a time: the ML.NET context is shared) and keeps every returned one.</summary>
    private sealed class EnginePolicy(MLContext ml, ITransformer model, PredictionEngineOptions options)
        : IPooledObjectPolicy<PredictionEngine<PixelRow<TLabel>, ScoreRow>>
    {
        private readonly Lock _lock = new();

        public PredictionEngine<PixelRow<TLabel>, ScoreRow> Create()
        {
            lock (_lock) return ml.Model.CreatePredictionEngine<PixelRow<TLabel>, ScoreRow>(model, options);
        }

        public bool Return(PredictionEngine<PixelRow<TLabel>, ScoreRow> engine) => true;
    }
}
