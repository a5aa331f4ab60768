using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Scoring;

/// <summary>
/// The lazy output of <see cref="TorchCnnTransformer.Transform"/>: the input's columns plus <c>Score</c>
/// and <c>PredictedLabel</c>. Rows are scored in batches: a second cursor over the input reads ahead
/// the features of the next batch, so the network is called once per batch, not once per row.
/// </summary>
internal sealed class ScoredDataView : IDataView
{
    private readonly IDataView _source;
    private readonly IScoringModel _transformer;
    private readonly DataViewSchema.Column _features;
    private readonly int _batchSize;

    public ScoredDataView(IDataView source, IScoringModel transformer, int batchSize)
    {
        _source = source;
        _transformer = transformer;
        _features = transformer.CheckFeatureColumn(source.Schema);
        _batchSize = batchSize;
        Schema = transformer.GetOutputSchema(source.Schema);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _source.GetRowCount();

    private int SourceColumns => _source.Schema.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        bool scoring = needed.Any(i => i >= SourceColumns);
        var sourceNeeded = _source.Schema.Where(c => needed.Contains(c.Index)).ToList();
        var main = _source.GetRowCursor(sourceNeeded);
        var lookahead = scoring ? _source.GetRowCursor(new[] { _features }) : null;
        return new Cursor(this, main, lookahead, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ScoredDataView _parent;
        private readonly DataViewRowCursor _main;
        private readonly DataViewRowCursor? _lookahead;
        private readonly ValueGetter<VBuffer<float>>? _getFeatures;
        private readonly HashSet<int> _active;
        private readonly int _classes;
        private readonly float[] _batchInput;
        private readonly float[] _batchScores;
        private readonly float[] _batchOod;
        private readonly int _oodSize;
        private long _batchStart;
        private int _batchRows;
        private VBuffer<float> _featureBuffer;

        public Cursor(ScoredDataView parent, DataViewRowCursor main, DataViewRowCursor? lookahead, HashSet<int> active)
        {
            _parent = parent;
            _main = main;
            _lookahead = lookahead;
            _active = active;
            _classes = parent._transformer.Classes;
            if (lookahead != null)
            {
                _getFeatures = lookahead.GetGetter<VBuffer<float>>(parent._features);
                _batchInput = new float[parent._batchSize * parent._transformer.InputSize];
                _batchScores = new float[parent._batchSize * _classes];
                _oodSize = active.Contains(parent.SourceColumns + 2) ? parent._transformer.OutOfDistributionSize : 0;
                _batchOod = new float[parent._batchSize * _oodSize];
            }
            else
            {
                _batchInput = Array.Empty<float>();
                _batchScores = Array.Empty<float>();
                _batchOod = Array.Empty<float>();
            }
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _main.Position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (!_main.MoveNext()) return false;
            if (_lookahead != null && _main.Position >= _batchStart + _batchRows)
                FillBatch();
            return true;
        }

        private void FillBatch()
        {
            _batchStart = _main.Position;
            int size = _parent._transformer.InputSize;
            int rows = 0;
            while (rows < _parent._batchSize && _lookahead!.MoveNext())
            {
                _getFeatures!(ref _featureBuffer);
                _parent._transformer.CopyFeatures(_featureBuffer, _lookahead.Position, _batchInput.AsSpan(rows * size, size));
                rows++;
            }
            _batchRows = rows;
            _parent._transformer.Score(_batchInput, rows, _batchScores, _batchOod.AsSpan(0, rows * _oodSize));
        }

        private ReadOnlySpan<float> CurrentScores =>
            _batchScores.AsSpan((int)(_main.Position - _batchStart) * _classes, _classes);

        private ReadOnlySpan<float> CurrentOutOfDistribution =>
            _batchOod.AsSpan((int)(_main.Position - _batchStart) * _oodSize, _oodSize);

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _parent.SourceColumns ? _main.IsColumnActive(_main.Schema[column.Index]) : _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _parent.SourceColumns)
                return _main.GetGetter<TValue>(_main.Schema[column.Index]);
            if (!_active.Contains(column.Index))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
            if (column.Index == _parent.SourceColumns)
            {
                ValueGetter<VBuffer<float>> score = (ref VBuffer<float> value) => CopyScores(CurrentScores, ref value);
                return score as ValueGetter<TValue> ?? throw TypeMismatch<TValue>(column);
            }
            if (column.Index == _parent.SourceColumns + 2)
            {
                ValueGetter<VBuffer<float>> ood = (ref VBuffer<float> value) => CopyScores(CurrentOutOfDistribution, ref value);
                return ood as ValueGetter<TValue> ?? throw TypeMismatch<TValue>(column);
            }
            ValueGetter<uint> predicted = (ref uint value) => value = ArgMaxKey(CurrentScores);
            return predicted as ValueGetter<TValue> ?? throw TypeMismatch<TValue>(column);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _main.Dispose();
                _lookahead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    internal static void CopyScores(ReadOnlySpan<float> scores, ref VBuffer<float> value)
    {
        var editor = VBufferEditor.Create(ref value, scores.Length);
        scores.CopyTo(editor.Values);
        value = editor.Commit();
    }

    /// <summary>The 1-based key of the largest score (the first one on ties).</summary>
    internal static uint ArgMaxKey(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++)
            if (scores[i] > scores[best]) best = i;
        return (uint)best + 1;
    }

    internal static InvalidOperationException TypeMismatch<TValue>(DataViewSchema.Column column) =>
        new($"Column '{column.Name}' has type {column.Type}; a getter of {typeof(TValue).Name} was requested.");
}
