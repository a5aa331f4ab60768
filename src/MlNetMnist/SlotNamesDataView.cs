using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist;

/// <summary>
/// A pass-through view of another <see cref="IDataView"/> whose schema gives one vector column a
/// <c>SlotNames</c> annotation. Rows, values, cursors and row counts are the source's.
/// </summary>
internal sealed class SlotNamesDataView : IDataView
{
    private readonly IDataView _source;

    public SlotNamesDataView(IDataView source, int columnIndex, IReadOnlyList<string> slotNames)
    {
        _source = source;
        var builder = new DataViewSchema.Builder();
        foreach (var column in source.Schema)
        {
            var annotations = column.Annotations;
            if (column.Index == columnIndex)
            {
                var annotationBuilder = new DataViewSchema.Annotations.Builder();
                annotationBuilder.Add(column.Annotations, name => name != "SlotNames");
                var names = new VBuffer<ReadOnlyMemory<char>>(slotNames.Count, slotNames.Select(n => n.AsMemory()).ToArray());
                annotationBuilder.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, slotNames.Count),
                    (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value));
                annotations = annotationBuilder.ToAnnotations();
            }
            builder.AddColumn(column.Name, column.Type, annotations);
        }
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => _source.CanShuffle;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_source.GetRowCursor(SourceColumns(columnsNeeded), rand), Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        _source.GetRowCursorSet(SourceColumns(columnsNeeded), n, rand).Select(c => (DataViewRowCursor)new Cursor(c, Schema)).ToArray();

    private IEnumerable<DataViewSchema.Column> SourceColumns(IEnumerable<DataViewSchema.Column> columns) =>
        columns.Select(c => _source.Schema[c.Index]).ToArray();

    private sealed class Cursor(DataViewRowCursor source, DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;

        public override long Position => source.Position;

        public override long Batch => source.Batch;

        public override bool MoveNext() => source.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => source.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => source.IsColumnActive(source.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => source.GetGetter<TValue>(source.Schema[column.Index]);

        protected override void Dispose(bool disposing)
        {
            if (disposing) source.Dispose();
            base.Dispose(disposing);
        }
    }
}
