using MlNetMnist.Images;

namespace MlNetMnist.Tests.Images;

public class DigitImagePreprocessorTests
{
    [Fact]
    public void CentresAnOffCentreDarkOnLightDigitLikeMnist()
    {
        // A black bar 8 wide and 40 tall in the top-left corner of a white 120x90 image.
        const int width = 120, height = 90;
        var gray = Enumerable.Repeat(255f, width * height).ToArray();
        for (int y = 5; y < 45; y++)
            for (int x = 10; x < 18; x++)
                gray[y * width + x] = 0;

        var pixels = new DigitImagePreprocessor().ProcessGray(gray, width, height);

        Assert.Equal(784, pixels.Length);
        var (left, top, right, bottom) = Box(pixels);
        Assert.Equal(20, bottom - top + 1); // the longer side scaled to 20
        Assert.Equal(4, right - left + 1);  // 8 * 20/40, aspect ratio kept
        var (cx, cy) = CentreOfMass(pixels);
        Assert.InRange(cx, 13.0, 14.5);
        Assert.InRange(cy, 13.0, 14.5);
        Assert.Equal(255f, pixels.Max()); // inverted: light ink on dark
        Assert.Equal(0f, pixels[0]);
    }

    [Fact]
    public void WithoutCentringA28x28ImageIsUnchangedOrInverted()
    {
        var random = new Random(1);
        var gray = new float[784];
        for (int i = 0; i < 784; i++)
        {
            int y = i / 28, x = i % 28;
            gray[i] = y < 3 || y > 24 || x < 3 || x > 24 ? 0 : random.Next(256);
        }
        var plain = new DigitImagePreprocessor(new DigitPreprocessingOptions { CentreByMass = false });
        Assert.Equal(gray, plain.ProcessGray(gray, 28, 28));
        Assert.Equal(gray, plain.ProcessGray(gray.Select(v => 255f - v).ToArray(), 28, 28));

        var asIs = new DigitImagePreprocessor(new DigitPreprocessingOptions { CentreByMass = false, Polarity = InputPolarity.AsIs });
        var light = gray.Select(v => 255f - v).ToArray();
        Assert.Equal(light, asIs.ProcessGray(light, 28, 28));
    }

    [Fact]
    public void DownscalingAveragesAreas()
    {
        // 56x56 of 2x2 blocks: the 28x28 result is the block means.
        var gray = new float[56 * 56];
        for (int y = 0; y < 56; y++)
            for (int x = 0; x < 56; x++)
                gray[y * 56 + x] = (x + y) % 2 == 0 ? 100 : 0;
        gray[0] = 0; // keep the border dark
        var pixels = new DigitImagePreprocessor(new DigitPreprocessingOptions { CentreByMass = false }).ProcessGray(gray, 56, 56);
        Assert.Equal(50f, pixels[28 * 14 + 14], 3);
    }

    [Fact]
    public void BlankImagesGiveZeros()
    {
        var white = Enumerable.Repeat(255f, 50 * 50).ToArray();
        Assert.All(new DigitImagePreprocessor().ProcessGray(white, 50, 50), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void EncodedImagesAndFilesAreDecodedAndBadOnesNamed()
    {
        string dir = TestData.NewTempDirectory();
        try
        {
            var gray = new byte[40 * 30];
            for (int y = 10; y < 20; y++)
                for (int x = 12; x < 16; x++)
                    gray[y * 40 + x] = 255;
            string png = Path.Combine(dir, "digit.png");
            TestImages.Write(png, gray, 40, 30);
            var preprocessor = new DigitImagePreprocessor();
            var fromFile = preprocessor.ProcessFile(png);
            Assert.Equal(fromFile, preprocessor.Process(File.ReadAllBytes(png)));
            Assert.Equal(255f, fromFile.Max());

            string bad = Path.Combine(dir, "notes.png");
            File.WriteAllText(bad, "not an image");
            var e = Assert.Throws<InvalidDataException>(() => preprocessor.ProcessFile(bad));
            Assert.Contains(bad, e.Message);
            Assert.Throws<FileNotFoundException>(() => preprocessor.ProcessFile(Path.Combine(dir, "missing.png")));
            string empty = Path.Combine(dir, "empty.jpg");
            File.WriteAllBytes(empty, []);
            Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => preprocessor.ProcessFile(empty)).Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static (int Left, int Top, int Right, int Bottom) Box(float[] pixels)
    {
        int left = 28, top = 28, right = -1, bottom = -1;
        for (int i = 0; i < 784; i++)
        {
            if (pixels[i] <= 0) continue;
            int y = i / 28, x = i % 28;
            left = Math.Min(left, x);
            right = Math.Max(right, x);
            top = Math.Min(top, y);
            bottom = Math.Max(bottom, y);
        }
        return (left, top, right, bottom);
    }

    private static (double X, double Y) CentreOfMass(float[] pixels)
    {
        double mass = 0, x = 0, y = 0;
        for (int i = 0; i < 784; i++)
        {
            mass += pixels[i];
            x += pixels[i] * (i % 28);
            y += pixels[i] * (i / 28);
        }
        return (x / mass, y / mass);
    }
}
