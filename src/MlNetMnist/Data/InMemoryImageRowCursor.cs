using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Data;

/// <summary>Cursor over the rows of an <see cref="InMemoryImageDataView"/>, in order.</summary>
internal sealed class InMemoryImageRowCursor : DataViewRowCursor
{
    private readonly InMemoryImageDataView _view;
    private readonly bool[] _active;
    private long _position = -1;
    private bool _done;

    public InMemoryImageRowCursor(InMemoryImageDataView view, bool[] active)
    {
        _view = view;
        _active = active;
    }

    /// <summary>Index of the current row; -1 before the first <see cref="MoveNext"/> and after the last.</summary>
    public override long Position => _position;

    /// <summary>Always 0: there is only one cursor.</summary>
    public override long Batch => 0;

    public override DataViewSchema Schema => _view.Schema;

    public override bool MoveNext()
    {
        if (_done) return false;
        if (_position + 1 < _view.RowCount)
        {
            _position++;
            return true;
        }
        _done = true;
        _position = -1;
        return false;
    }

    public override bool IsColumnActive(DataViewSchema.Column column) => column.Index >= 0 && column.Index < _active.Length && _active[column.Index];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
            throw new InvalidOperationException($"Column '{column.Name}' (index {column.Index}) is not active in this cursor.");
        if (column.Index == 0)
        {
            if (typeof(TValue) != typeof(uint))
                throw new InvalidOperationException($"Column '{column.Name}' holds {typeof(uint).Name}, not {typeof(TValue).Name}.");
            return (ValueGetter<TValue>)(Delegate)(ValueGetter<uint>)GetLabel;
        }
        if (typeof(TValue) != typeof(VBuffer<float>))
            throw new InvalidOperationException($"Column '{column.Name}' holds {typeof(VBuffer<float>).Name}, not {typeof(TValue).Name}.");
        return (ValueGetter<TValue>)(Delegate)(ValueGetter<VBuffer<float>>)GetFeatures;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) =>
    {
        CheckRow();
        value = new DataViewRowId((ulong)_position, 0);
    };

    private void GetLabel(ref uint value)
    {
        CheckRow();
        value = _view.Labels[_position];
    }

    private void GetFeatures(ref VBuffer<float> value)
    {
        CheckRow();
        int size = _view.ImageSize;
        var source = _view.Pixels.AsSpan(checked((int)(_position * size)), size);
        var editor = VBufferEditor.Create(ref value, size);
        PixelBytes.ToSingle(source, editor.Values);
        value = editor.Commit();
    }

    private void CheckRow()
    {
        if (_position < 0)
            throw new InvalidOperationException(_done ? "The cursor is past the last row." : "MoveNext has not been called yet.");
    }
}
