namespace MlNetMnist.Reports;

/// <summary>
/// Keeps the <see cref="Capacity"/> items of highest confidence seen so far (earlier rows first
/// among equal confidences).
/// </summary>
internal sealed class BoundedBest<T>(int capacity)
{
    private readonly PriorityQueue<T, (double Confidence, long NegatedRow)> _heap = new();

    public int Capacity { get; } = capacity;

    /// <summary>True when an item of this confidence and row would be kept.</summary>
    public bool Accepts(double confidence, long row) =>
        Capacity > 0 && (_heap.Count < Capacity || (_heap.TryPeek(out _, out var worst) && (confidence, -row).CompareTo(worst) > 0));

    /// <summary>Keeps <paramref name="item"/> if it is among the best, dropping the worst kept one when full.</summary>
    public void Add(T item, double confidence, long row)
    {
        if (!Accepts(confidence, row)) return;
        _heap.Enqueue(item, (confidence, -row));
        if (_heap.Count > Capacity) _heap.Dequeue();
    }

    /// <summary>The items kept, in no particular order.</summary>
    public IEnumerable<T> Items => _heap.UnorderedItems.Select(entry => entry.Element);
}
