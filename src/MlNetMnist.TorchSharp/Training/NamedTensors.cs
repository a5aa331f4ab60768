using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// A simple binary format for named tensors (a network's state dictionary, early stopping's best
/// weights): a count, then per tensor its name, element type, shape and raw bytes. Tensors on a GPU
/// are copied to the CPU to be written; loading copies into the caller's tensors on their device.
/// </summary>
internal static class NamedTensors
{
    /// <summary>Writes <paramref name="tensors"/> to <paramref name="writer"/>.</summary>
    public static void Write(BinaryWriter writer, IReadOnlyCollection<KeyValuePair<string, Tensor>> tensors)
    {
        writer.Write(tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            using var scope = NewDisposeScope();
            var cpu = tensor.detach().cpu().contiguous();
            writer.Write(name);
            writer.Write((int)cpu.dtype);
            writer.Write(cpu.shape.Length);
            foreach (long size in cpu.shape) writer.Write(size);
            var bytes = cpu.bytes;
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
    }

    /// <summary>
    /// Reads the tensors written by <see cref="Write"/> into new CPU tensors (the caller owns them).
    /// Throws <see cref="InvalidDataException"/> when the data is cut short or malformed.
    /// </summary>
    public static Dictionary<string, Tensor> Read(BinaryReader reader)
    {
        var result = new Dictionary<string, Tensor>();
        try
        {
            int count = reader.ReadInt32();
            if (count < 0) throw new InvalidDataException($"negative tensor count {count}");
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                var dtype = (ScalarType)reader.ReadInt32();
                int rank = reader.ReadInt32();
                if (rank < 0 || rank > 16) throw new InvalidDataException($"tensor '{name}' has rank {rank}");
                var shape = new long[rank];
                for (int d = 0; d < rank; d++) shape[d] = reader.ReadInt64();
                int length = reader.ReadInt32();
                byte[] bytes = reader.ReadBytes(length);
                if (bytes.Length != length) throw new EndOfStreamException($"tensor '{name}' is cut short");
                var tensor = empty(shape, dtype);
                if (tensor.NumberOfElements * tensor.ElementSize != length)
                {
                    tensor.Dispose();
                    throw new InvalidDataException($"tensor '{name}' has {length} bytes, its shape [{string.Join(", ", shape)}] needs a different number");
                }
                tensor.bytes = bytes;
                result.Add(name, tensor);
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies the tensors in <paramref name="reader"/> into <paramref name="targets"/> (same names,
    /// element types and shapes; every target must be present). The targets keep their identity and device.
    /// </summary>
    public static void CopyInto(BinaryReader reader, IReadOnlyDictionary<string, Tensor> targets)
    {
        var loaded = Read(reader);
        try
        {
            var missing = targets.Keys.Where(k => !loaded.ContainsKey(k)).ToList();
            var extra = loaded.Keys.Where(k => !targets.ContainsKey(k)).ToList();
            if (missing.Count > 0 || extra.Count > 0)
                throw new InvalidDataException($"the saved network state does not match the network (missing: {string.Join(", ", missing)}; unexpected: {string.Join(", ", extra)})");
            using var noGrad = no_grad();
            foreach (var (name, source) in loaded)
            {
                var target = targets[name];
                if (source.dtype != target.dtype || !source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"tensor '{name}' is {source.dtype} [{string.Join(", ", source.shape)}] in the file and {target.dtype} [{string.Join(", ", target.shape)}] in the network");
                target.copy_(source);
            }
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }
}
