using Microsoft.Extensions.Logging;
using MlNetMnist.Serving;

namespace MlNetMnist.Tests.Serving;

/// <summary>
/// <see cref="DigitModelPool"/>: several named models, each reloaded when its file changes (swapped in
/// atomically, requests in flight finishing on the old version), a bad new file refused while the old
/// version keeps serving, and what is logged.
/// </summary>
[Collection(ImageModelCollection.Name)]
public class DigitModelPoolTests(ImageModelFixture f)
{
    private static DigitModelPoolOptions Options(params (string Name, DigitModelOptions Model)[] models)
    {
        var options = new DigitModelPoolOptions();
        foreach (var (name, model) in models) options.Models[name] = model;
        return options;
    }

    private static DigitModelOptions Watched(string path) =>
        new() { ModelPath = path, ReloadDelay = TimeSpan.FromMilliseconds(100), PollInterval = TimeSpan.Zero, MaximumRetainedEngines = 2 };

    [Fact]
    public void NamedModelsServeTheirOwnFilesWithTheirOwnOptions()
    {
        using var pool = new DigitModelPool(Options(
            ("strict", new DigitModelOptions { ModelPath = f.PixelModelPath, ConfidenceThreshold = 0.999f, TopCount = 5 }),
            ("lenient", new DigitModelOptions { ModelPath = f.ImageModelPath, ConfidenceThreshold = 0f })));
        Assert.Null(pool.DefaultModelName);
        var noDefault = Assert.Throws<InvalidOperationException>(() => pool.Rent());
        Assert.Contains("Name the model: this pool has several (strict, lenient)", noDefault.Message);
        var unknown = Assert.Throws<KeyNotFoundException>(() => pool.Rent("letters"));
        Assert.Equal("There is no digit model named 'letters' (models: strict, lenient).", unknown.Message);

        pool.LoadAll();
        using var reference = DigitPredictionService.Load(f.PixelModelPath);
        using var imageReference = DigitPredictionService.Load(f.ImageModelPath);
        using (var strict = pool.Rent("STRICT"))
        using (var lenient = pool.Rent("lenient"))
        {
            Assert.Equal(("strict", ServingTestFiles.VersionOf(f.PixelModelPath), 1L), (strict.ModelName, strict.Version, strict.Generation));
            Assert.Equal(ServingTestFiles.VersionOf(f.ImageModelPath), lenient.Version);
            Assert.NotEqual(strict.Version, lenient.Version);
            var strictResults = Enumerable.Range(0, 200).Select(i => strict.Predict(f.Features(i))).ToList();
            var lenientResults = Enumerable.Range(0, 200).Select(i => lenient.PredictImage(File.ReadAllBytes(f.PngPaths[i]))).ToList();
            for (int i = 0; i < 200; i++)
            {
                var expected = reference.Predict(f.Features(i));
                Assert.Equal(expected.Classes.Select(c => c.Probability), strictResults[i].Classes.Select(c => c.Probability));
                Assert.Equal(imageReference.PredictImage(File.ReadAllBytes(f.PngPaths[i])).Label, lenientResults[i].Label);
                Assert.Equal(5, strictResults[i].Top.Count);
                Assert.Equal(strictResults[i].Probability < 0.999f || strictResults[i].OutOfDistribution, strictResults[i].NeedsReview);
                // Threshold 0: only the model's out-of-distribution flag can make a prediction need review.
                Assert.Equal(lenientResults[i].OutOfDistribution, lenientResults[i].NeedsReview);
            }
            Assert.Contains(strictResults, p => p.NeedsReview);
        }

        // One model alone is the default; DefaultModel picks one of several.
        using var single = new DigitModelPool(Options(("digits", new DigitModelOptions { ModelPath = f.PixelModelPath })));
        Assert.Equal("digits", single.DefaultModelName);
        Assert.Equal(f.TestSet.Labels[3].ToString(), single.Predict(f.Features(3)).Label);
        var withDefault = Options(("a", new DigitModelOptions { ModelPath = f.PixelModelPath }), ("b", new DigitModelOptions { ModelPath = f.ImageModelPath }));
        withDefault.DefaultModel = "b";
        using var two = new DigitModelPool(withDefault);
        Assert.Equal(ServingTestFiles.VersionOf(f.ImageModelPath), two.GetModelInfo().Version ?? two.Rent().Version);
    }

    [Fact]
    public void AReplacedFileIsSwappedInWhileARequestInFlightFinishesOnTheOldVersion()
    {
        string path = ServingTestFiles.CopyToNewFolder(f.PixelModelPath);
        var logs = new ListLoggerProvider();
        using var loggers = logs.Factory();
        string oldVersion = ServingTestFiles.VersionOf(f.PixelModelPath), newVersion = ServingTestFiles.VersionOf(f.ImageModelPath);
        using (var pool = new DigitModelPool(Options(("digits", Watched(path))), loggers))
        {
            pool.LoadAll();
            var inFlight = pool.Rent();
            var oldService = inFlight.Service;
            Assert.Equal((oldVersion, 1L), (inFlight.Version, inFlight.Generation));

            ServingTestFiles.Replace(path, File.ReadAllBytes(f.ImageModelPath));
            Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().Version == newVersion), "the new file was not loaded within 30 s");
            var info = pool.GetModelInfo();
            Assert.Equal((2L, (string?)null), (info.Generation, info.LastReloadError));

            // The request that started before the swap still runs on its version, which is not disposed...
            Assert.Equal(f.TestSet.Labels[1].ToString(), inFlight.Predict(f.Features(1)).Label);
            Assert.Equal(oldVersion, inFlight.Version);
            // ...new requests get the new version...
            using (var next = pool.Rent())
            {
                Assert.Equal((newVersion, 2L), (next.Version, next.Generation));
                Assert.Equal(f.TestSet.Labels[2].ToString(), next.PredictImage(File.ReadAllBytes(f.PngPaths[2])).Label);
            }
            // ...and the old version is disposed when its last request is done.
            inFlight.Dispose();
            Assert.Throws<ObjectDisposedException>(() => oldService.Predict(f.Features(0)));
            Assert.Throws<ObjectDisposedException>(() => inFlight.Predict(f.Features(0)));

            // Touching the file without changing it keeps the version.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
            pool.CheckForChange();
            Assert.Equal((newVersion, 2L), (pool.GetModelInfo().Version, pool.GetModelInfo().Generation));
        }
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Event.Name == "ModelLoaded"
            && e.Message.StartsWith($"Loaded digit model 'digits' version {oldVersion} from {path} (10 classes, 28x28 input)", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Event.Name == "ModelReloaded"
            && e.Message.Contains($"version {oldVersion} -> {newVersion} (generation 2)", StringComparison.Ordinal));
        ServingTestFiles.DeleteFolderOf(path);
    }

    [Fact]
    public void ACorruptOrMissingFileIsRefusedAndTheOldVersionKeepsServing()
    {
        string path = ServingTestFiles.CopyToNewFolder(f.PixelModelPath);
        var logs = new ListLoggerProvider();
        using var loggers = logs.Factory();
        string version = ServingTestFiles.VersionOf(path);
        using var pool = new DigitModelPool(Options(("digits", Watched(path))), loggers);
        pool.LoadAll();

        // A truncated model (half of the zip): refused with a warning, the loaded version stays.
        var good = File.ReadAllBytes(f.ImageModelPath);
        ServingTestFiles.Replace(path, good[..(good.Length / 2)]);
        Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().LastReloadError is not null), "the corrupt file was not noticed within 30 s");
        var info = pool.GetModelInfo();
        Assert.Equal((version, 1L), (info.Version, info.Generation));
        Assert.StartsWith($"the changed file was refused: {path}: not a readable ML.NET model", info.LastReloadError);
        Assert.Equal(f.TestSet.Labels[4].ToString(), pool.Predict(f.Features(4)).Label);
        var refusal = Assert.Single(logs.Entries, e => e.Event.Name == "ReloadRefused");
        Assert.Equal(LogLevel.Warning, refusal.Level);
        Assert.Contains($"Version {version} keeps serving.", refusal.Message);
        Assert.NotNull(refusal.Error);
        // The same bad content is not tried again.
        pool.CheckForChange();
        Assert.Single(logs.Entries, e => e.Event.Name == "ReloadRefused");

        // Not a model at all: refused too.
        ServingTestFiles.Replace(path, "this is not a model"u8.ToArray());
        Assert.True(ServingTestFiles.WaitFor(() => logs.Entries.Count(e => e.Event.Name == "ReloadRefused") == 2));
        Assert.Contains("not a zip archive", pool.GetModelInfo().LastReloadError);

        // The file is deleted: still serving, and said so.
        File.Delete(path);
        Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().LastReloadError?.Contains("the model file is gone", StringComparison.Ordinal) == true));
        Assert.Equal(version, pool.Rent().Version);
        Assert.Equal(f.TestSet.Labels[5].ToString(), pool.Predict(f.Features(5)).Label);

        // A good file: loaded, the error cleared.
        ServingTestFiles.Replace(path, good);
        Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().Generation == 2));
        Assert.Null(pool.GetModelInfo().LastReloadError);
        Assert.Equal(ServingTestFiles.VersionOf(f.ImageModelPath), pool.GetModelInfo().Version);
        ServingTestFiles.DeleteFolderOf(path);
    }

    [Fact]
    public async Task FourThreadsPredictingWhileTheFileIsSwappedFourTimesNeverFailAndEachAnswerComesFromOneOfTheTwoVersions()
    {
        string path = ServingTestFiles.CopyToNewFolder(f.PixelModelPath);
        string[] versions = [ServingTestFiles.VersionOf(f.PixelModelPath), ServingTestFiles.VersionOf(f.ImageModelPath)];
        byte[][] files = [File.ReadAllBytes(f.PixelModelPath), File.ReadAllBytes(f.ImageModelPath)];
        using var reference = DigitPredictionService.Load(f.PixelModelPath);
        using var imageReference = DigitPredictionService.Load(f.ImageModelPath);
        var expected = Enumerable.Range(0, 100).Select(i => reference.Predict(f.Features(i))).ToArray();
        using var pool = new DigitModelPool(Options(("digits", Watched(path))));
        pool.LoadAll();

        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var workers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            int n = 0, wrong = 0;
            // Bounded: until the swaps are done, and at most 60 s.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!stop.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                int i = (n++ * 7 + t) % 100;
                using var lease = pool.Rent();
                var p = lease.Predict(f.Features(i));
                seen.AddOrUpdate(lease.Version, 1, (_, c) => c + 1);
                if (!p.Classes.Select(c => c.Probability).SequenceEqual(expected[i].Classes.Select(c => c.Probability))) wrong++;
            }
            return (n, wrong);
        })).ToArray();

        for (int swap = 1; swap <= 4; swap++)
        {
            ServingTestFiles.Replace(path, files[swap % 2]);
            int generation = swap + 1;
            Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().Generation == generation), $"swap {swap} was not loaded within 30 s");
            Thread.Sleep(200);
        }
        stop.Cancel();
        var results = await Task.WhenAll(workers);
        Assert.All(results, r => Assert.Equal(0, r.wrong));
        Assert.True(results.Sum(r => r.n) > 100);
        Assert.Equal(versions.Order(), seen.Keys.Order());
        Assert.Equal(versions[0], pool.GetModelInfo().Version);
        ServingTestFiles.DeleteFolderOf(path);
    }

    [Fact]
    public void WithoutFileNotificationsPollingFindsTheChange()
    {
        string path = ServingTestFiles.CopyToNewFolder(f.PixelModelPath);
        var options = Watched(path);
        options.UseFileNotifications = false;
        options.PollInterval = TimeSpan.FromMilliseconds(200);
        using var pool = new DigitModelPool(Options(("digits", options)));
        pool.LoadAll();
        ServingTestFiles.Replace(path, File.ReadAllBytes(f.ImageModelPath));
        Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().Version == ServingTestFiles.VersionOf(f.ImageModelPath)), "polling did not find the change within 30 s");
        ServingTestFiles.DeleteFolderOf(path);
    }

    [Fact]
    public void AModelThatIsNotWatchedKeepsItsVersionAndDisposingThePoolWaitsForLeases()
    {
        string path = ServingTestFiles.CopyToNewFolder(f.PixelModelPath);
        var options = Watched(path);
        options.WatchForChanges = false;
        var pool = new DigitModelPool(Options(("digits", options)));
        var lease = pool.Rent(); // loads on first use
        ServingTestFiles.Replace(path, File.ReadAllBytes(f.ImageModelPath));
        Thread.Sleep(500);
        Assert.Equal(ServingTestFiles.VersionOf(f.PixelModelPath), pool.GetModelInfo().Version);

        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
        // The request in flight finishes; its model goes with the last lease.
        Assert.Equal(f.TestSet.Labels[6].ToString(), lease.Predict(f.Features(6)).Label);
        var service = lease.Service;
        lease.Dispose();
        Assert.Throws<ObjectDisposedException>(() => service.Predict(f.Features(6)));
        ServingTestFiles.DeleteFolderOf(path);
    }
}
