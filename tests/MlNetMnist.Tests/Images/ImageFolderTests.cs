using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;

namespace MlNetMnist.Tests.Images;

public class ImageFolderTests
{
    [Fact]
    public void EnumeratesClassFoldersInOrderWithAnyLabelText()
    {
        string root = TestData.NewTempDirectory();
        try
        {
            var gray = new byte[16 * 16];
            foreach (var (label, files) in new[] { ("zebra crossing", new[] { "b.png", "a.JPG", "sub/c.jpeg" }), ("Ähre", new[] { "x.bmp" }), ("7", new[] { "n.png" }) })
                foreach (string file in files)
                {
                    string path = Path.Combine(root, label, file);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    TestImages.Write(Path.ChangeExtension(path, ".png"), gray, 16, 16);
                    if (!path.EndsWith(".png", StringComparison.Ordinal)) File.Move(Path.ChangeExtension(path, ".png"), path);
                }
            File.WriteAllText(Path.Combine(root, "zebra crossing", "readme.txt"), "ignored");
            File.WriteAllText(Path.Combine(root, "top-level.png"), "ignored: not in a class folder");

            var entries = ImageFolder.Enumerate(root);
            Assert.Equal(new[] { "7", "zebra crossing", "zebra crossing", "zebra crossing", "Ähre" }, entries.Select(e => e.Label));
            Assert.Equal(new[] { "n.png", "a.JPG", "b.png", "c.jpeg", "x.bmp" }, entries.Select(e => Path.GetFileName(e.ImagePath)));
            Assert.Equal(new[] { "7", "zebra crossing", "Ähre" }, ImageFolder.Labels(entries));
            Assert.Empty(ImageFolder.FindUnreadable(entries));

            var ml = new MLContext(seed: 1);
            var view = ImageFolderData.Load(ml, root);
            Assert.Equal(TextDataViewType.Instance, view.Schema["Label"].Type);
            Assert.Equal(784, ((VectorDataViewType)view.Schema["Features"].Type).Size);
            Assert.Equal(5, view.GetColumn<float[]>("Features").Count());

            File.WriteAllText(Path.Combine(root, "7", "broken.png"), "not an image");
            var e = Assert.Throws<InvalidDataException>(() => ImageFolderData.Load(ml, root));
            Assert.Contains("broken.png", e.Message);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void MissingOrEmptyRootsAreReported()
    {
        string root = TestData.NewTempDirectory();
        try
        {
            Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Enumerate(Path.Combine(root, "missing")));
            Directory.CreateDirectory(Path.Combine(root, "empty-class"));
            Assert.Contains("no images found", Assert.Throws<InvalidDataException>(() => ImageFolder.Enumerate(root)).Message);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
