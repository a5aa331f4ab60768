using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlNetMnist.Data;

/// <summary>
/// Converts 0-255 pixel bytes to the floats a feature vector holds, many at a time (SIMD widening
/// byte -> ushort -> uint -> float). Reading a training set row by row calls it once per image, often
/// before the JIT has optimised the caller; it is compiled optimised from its first call.
/// </summary>
internal static class PixelBytes
{
    /// <summary>Writes <c>destination[i] = source[i]</c> for every byte of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="source"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"The destination holds {destination.Length} values; {source.Length} are needed.", nameof(destination));
        int i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<byte>.Count)
        {
            ref byte from = ref MemoryMarshal.GetReference(source);
            ref float to = ref MemoryMarshal.GetReference(destination);
            int quarter = Vector<int>.Count;
            for (; i <= source.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                var bytes = Vector.LoadUnsafe(ref from, (nuint)i);
                Vector.Widen(bytes, out Vector<ushort> low, out Vector<ushort> high);
                Vector.Widen(low, out Vector<uint> a, out Vector<uint> b);
                Vector.Widen(high, out Vector<uint> c, out Vector<uint> d);
                Vector.ConvertToSingle(Vector.AsVectorInt32(a)).StoreUnsafe(ref to, (nuint)i);
                Vector.ConvertToSingle(Vector.AsVectorInt32(b)).StoreUnsafe(ref to, (nuint)(i + quarter));
                Vector.ConvertToSingle(Vector.AsVectorInt32(c)).StoreUnsafe(ref to, (nuint)(i + 2 * quarter));
                Vector.ConvertToSingle(Vector.AsVectorInt32(d)).StoreUnsafe(ref to, (nuint)(i + 3 * quarter));
            }
        }
        for (; i < source.Length; i++) destination[i] = source[i];
    }
}
