using MlNetMnist.Data;

namespace MlNetMnist.Tests.Data;

/// <summary>The SIMD helpers that read pixels into feature vectors and check them, against the plain loop they replace.</summary>
public sealed class VectorisedPixelHelpersTests
{
    // Lengths around the vector widths (16-64 bytes, 4-16 floats), an image, and an odd tail.
    public static TheoryData<int> Lengths => new() { 0, 1, 3, 15, 16, 17, 31, 32, 63, 64, 65, 255, 256, 784, 3 * 32 * 32 + 7 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void PixelBytesGiveEveryByteValueAsItsFloat(int length)
    {
        var source = new byte[length];
        for (int i = 0; i < length; i++) source[i] = (byte)(i * 7 + 3); // every value 0-255 once the length passes 256
        var destination = Enumerable.Repeat(-1f, length + 5).ToArray();

        PixelBytes.ToSingle(source, destination);

        for (int i = 0; i < length; i++) Assert.Equal(source[i], destination[i]);
        Assert.All(destination[length..], v => Assert.Equal(-1f, v)); // nothing written past the source's length
    }

    [Fact]
    public void PixelBytesRefuseAShortDestination()
    {
        var error = Assert.Throws<ArgumentException>(() => PixelBytes.ToSingle(new byte[100], new float[99]));
        Assert.Contains("99", error.Message);
        Assert.Contains("100", error.Message);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void FiniteValuesFindTheFirstNaNOrInfinityAtAnyPosition(int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = i % 5 == 0 ? -0f : i * 0.5f;
        if (length > 0) values[0] = float.MaxValue;
        if (length > 1) values[^1] = float.MinValue; // the extremes are finite
        Assert.Equal(-1, FiniteValues.IndexOfNonFinite(values));

        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (int position = 0; position < length; position++)
            {
                var copy = (float[])values.Clone();
                copy[position] = bad;
                if (position + 2 < length) copy[position + 2] = float.NaN; // a later one too: the first is reported
                Assert.Equal(position, FiniteValues.IndexOfNonFinite(copy));
            }
    }
}
