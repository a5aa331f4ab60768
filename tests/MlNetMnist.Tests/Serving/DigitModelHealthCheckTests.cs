using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlNetMnist.Serving;

namespace MlNetMnist.Tests.Serving;

/// <summary>The states of <see cref="DigitModelHealthCheck"/>: not loaded, loaded and probing well, a refused reload, a missing model.</summary>
[Collection(ImageModelCollection.Name)]
public class DigitModelHealthCheckTests(ImageModelFixture f)
{
    private static Task<HealthCheckResult> Check(DigitModelPool pool) => new DigitModelHealthCheck(pool).CheckHealthAsync(new HealthCheckContext());

    [Fact]
    public async Task UnhealthyUntilLoadedHealthyWhenTheProbeSucceedsDegradedAfterARefusedReload()
    {
        string path = ServingTestFiles.CopyToNewFolder(f.PixelModelPath);
        var options = new DigitModelPoolOptions();
        options.Models["digits"] = new DigitModelOptions { ModelPath = path, ReloadDelay = TimeSpan.FromMilliseconds(100), PollInterval = TimeSpan.Zero };
        options.Models["images"] = new DigitModelOptions { ModelPath = f.ImageModelPath, WatchForChanges = false };
        options.DefaultModel = "digits";
        using var pool = new DigitModelPool(options);

        var notLoaded = await Check(pool);
        Assert.Equal(HealthStatus.Unhealthy, notLoaded.Status);
        Assert.Contains($"model 'digits' is not loaded ({path})", notLoaded.Description);
        Assert.Contains("model 'images' is not loaded", notLoaded.Description);
        Assert.Equal(false, notLoaded.Data["digits.loaded"]);

        pool.LoadAll();
        var healthy = await Check(pool);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal("2 model(s) loaded; probe predictions succeed.", healthy.Description);
        Assert.Equal(ServingTestFiles.VersionOf(f.PixelModelPath), healthy.Data["digits.version"]);
        Assert.Equal(1L, healthy.Data["images.generation"]);

        // The probe is not a prediction of the application: the metrics do not count it.
        long counted = 0;
        using (var listener = new System.Diagnostics.Metrics.MeterListener())
        {
            listener.InstrumentPublished = (i, l) => { if (i.Meter == pool.Meter) l.EnableMeasurementEvents(i); };
            listener.SetMeasurementEventCallback<long>((i, v, _, _) => { if (i.Name == DigitModelTelemetry.Predictions) counted += v; });
            listener.Start();
            await Check(pool);
        }
        Assert.Equal(0, counted);

        ServingTestFiles.Replace(path, "truncated"u8.ToArray());
        Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().LastReloadError is not null));
        var degraded = await Check(pool);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains($"model 'digits' serves version {ServingTestFiles.VersionOf(f.PixelModelPath)}, but the changed file was refused: {path}: not a zip archive", degraded.Description);
        Assert.True(degraded.Data.ContainsKey("digits.lastReloadError"));

        ServingTestFiles.Replace(path, File.ReadAllBytes(f.ImageModelPath));
        Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().Generation == 2));
        Assert.Equal(HealthStatus.Healthy, (await Check(pool)).Status);
        ServingTestFiles.DeleteFolderOf(path);
    }

    [Fact]
    public async Task AModelThatCannotBeLoadedLeavesThePoolUnhealthy()
    {
        string missing = Path.Combine(TestData.NewTempDirectory("mlnetmnist-serving"), "model.zip");
        var options = new DigitModelPoolOptions();
        options.Models["digits"] = new DigitModelOptions { ModelPath = missing };
        using var pool = new DigitModelPool(options);
        var error = Assert.Throws<InvalidOperationException>(pool.LoadAll);
        Assert.Contains("model file not found", error.Message);
        var result = await Check(pool);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("is not loaded", result.Description);

        // The file arrives: the next use loads it.
        File.Copy(f.PixelModelPath, missing);
        Assert.Equal(f.TestSet.Labels[0].ToString(), pool.Predict(f.Features(0)).Label);
        Assert.Equal(HealthStatus.Healthy, (await Check(pool)).Status);
        ServingTestFiles.DeleteFolderOf(missing);
    }
}
