using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Scoring;

/// <summary>
/// Row-at-a-time scoring for <see cref="PredictionEngine{TSrc, TDst}"/>: maps one input row to the
/// input's columns plus <c>Score</c> and <c>PredictedLabel</c>, scoring the row once per position.
/// </summary>
internal sealed class TorchCnnRowMapper : IRowToRowMapper
{
    private readonly IScoringModel _transformer;
    private readonly DataViewSchema.Column _features;

    public TorchCnnRowMapper(IScoringModel transformer, DataViewSchema inputSchema)
    {
        _transformer = transformer;
        _features = transformer.CheckFeatureColumn(inputSchema);
        InputSchema = inputSchema;
        OutputSchema = transformer.GetOutputSchema(inputSchema);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var wanted = dependingColumns.Select(c => c.Index).ToHashSet();
        var result = InputSchema.Where(c => wanted.Contains(c.Index)).ToList();
        if (wanted.Any(i => i >= InputSchema.Count) && !result.Contains(_features))
            result.Add(_features);
        return result;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new Row(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class Row : DataViewRow
    {
        private readonly TorchCnnRowMapper _parent;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly ValueGetter<VBuffer<float>>? _getFeatures;
        private readonly float[] _features;
        private readonly float[] _scores;
        private readonly float[] _ood;
        private VBuffer<float> _buffer;
        private long _scoredPosition = -1;

        public Row(TorchCnnRowMapper parent, DataViewRow input, HashSet<int> active)
        {
            _parent = parent;
            _input = input;
            _active = active;
            _features = new float[parent._transformer.InputSize];
            _scores = new float[parent._transformer.Classes];
            _ood = new float[parent._transformer.OutOfDistributionSize];
            if (active.Any(i => i >= parent.InputSchema.Count))
                _getFeatures = input.GetGetter<VBuffer<float>>(parent._features);
        }

        public override DataViewSchema Schema => _parent.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _parent.InputSchema.Count ? _input.IsColumnActive(_input.Schema[column.Index]) : _active.Contains(column.Index);

        private float[] Scores()
        {
            if (_scoredPosition != _input.Position || _input.Position < 0)
            {
                _getFeatures!(ref _buffer);
                _parent._transformer.CopyFeatures(_buffer, _input.Position, _features);
                _parent._transformer.Score(_features, 1, _scores, _ood);
                _scoredPosition = _input.Position;
            }
            return _scores;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _parent.InputSchema.Count;
            if (column.Index < inputCount)
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            if (!_active.Contains(column.Index))
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this row.");
            if (column.Index == inputCount)
            {
                ValueGetter<VBuffer<float>> score = (ref VBuffer<float> value) => ScoredDataView.CopyScores(Scores(), ref value);
                return score as ValueGetter<TValue> ?? throw ScoredDataView.TypeMismatch<TValue>(column);
            }
            if (column.Index == inputCount + 2)
            {
                ValueGetter<VBuffer<float>> ood = (ref VBuffer<float> value) =>
                {
                    Scores();
                    ScoredDataView.CopyScores(_ood, ref value);
                };
                return ood as ValueGetter<TValue> ?? throw ScoredDataView.TypeMismatch<TValue>(column);
            }
            ValueGetter<uint> predicted = (ref uint value) => value = ScoredDataView.ArgMaxKey(Scores());
            return predicted as ValueGetter<TValue> ?? throw ScoredDataView.TypeMismatch<TValue>(column);
        }
    }
}
