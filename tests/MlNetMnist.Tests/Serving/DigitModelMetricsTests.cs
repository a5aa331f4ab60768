using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using MlNetMnist.Serving;

namespace MlNetMnist.Tests.Serving;

/// <summary>The metrics a <see cref="DigitModelPool"/> records, read with an in-memory <see cref="MeterListener"/>.</summary>
[Collection(ImageModelCollection.Name)]
public class DigitModelMetricsTests(ImageModelFixture f)
{
    private sealed record Recorded(string Instrument, double Value, Dictionary<string, object?> Tags);

    private static MeterListener Listen(DigitModelPool pool, ConcurrentQueue<Recorded> into)
    {
        var listener = new MeterListener
        {
            // Only this pool's meter: other tests' pools record on meters of the same name.
            InstrumentPublished = (instrument, l) => { if (instrument.Meter == pool.Meter) l.EnableMeasurementEvents(instrument); },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => into.Enqueue(new Recorded(i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => into.Enqueue(new Recorded(i.Name, v, Tags(tags))));
        listener.Start();
        return listener;
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var t in tags) result[t.Key] = t.Value;
        return result;
    }

    [Fact]
    public void PredictionsLatencyNeedsReviewErrorsReloadsAndTheVersionServedAreRecorded()
    {
        string path = ServingTestFiles.CopyToNewFolder(f.PixelModelPath);
        var options = new DigitModelPoolOptions();
        options.Models["digits"] = new DigitModelOptions { ModelPath = path, ConfidenceThreshold = 0.999f, ReloadDelay = TimeSpan.FromMilliseconds(100), PollInterval = TimeSpan.Zero };
        using var pool = new DigitModelPool(options);
        var recorded = new ConcurrentQueue<Recorded>();
        using var listener = Listen(pool, recorded);
        string version = ServingTestFiles.VersionOf(path);

        int needsReview = 0;
        for (int i = 0; i < 60; i++)
            if (pool.PredictImage(File.ReadAllBytes(f.PngPaths[i])).NeedsReview) needsReview++;
        for (int i = 0; i < 40; i++)
            if (pool.Predict(f.Features(i)).NeedsReview) needsReview++;
        Assert.InRange(needsReview, 1, 99);
        Assert.Throws<InvalidDataException>(() => pool.PredictImage("not an image"u8));
        Assert.Throws<ArgumentException>(() => pool.Predict(new float[10]));

        var predictions = recorded.Where(r => r.Instrument == DigitModelTelemetry.Predictions).ToList();
        Assert.Equal(100, predictions.Sum(r => r.Value));
        Assert.All(predictions, r =>
        {
            Assert.Equal("digits", r.Tags[DigitModelTelemetry.ModelNameTag]);
            Assert.Equal(version, r.Tags[DigitModelTelemetry.ModelVersionTag]);
        });
        Assert.Equal(needsReview, recorded.Where(r => r.Instrument == DigitModelTelemetry.NeedsReview).Sum(r => r.Value));
        var durations = recorded.Where(r => r.Instrument == DigitModelTelemetry.Duration).Select(r => r.Value).ToList();
        Assert.Equal(100, durations.Count);
        Assert.All(durations, d => Assert.True(d > 0 && d < 60, $"duration {d} s"));
        var errors = recorded.Where(r => r.Instrument == DigitModelTelemetry.Errors).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("invalid_input", e.Tags[DigitModelTelemetry.ErrorTypeTag]));

        // The version gauge: generation 1 of this file's version.
        listener.RecordObservableInstruments();
        var gauge = Assert.Single(recorded, r => r.Instrument == DigitModelTelemetry.ModelGeneration);
        Assert.Equal(1, gauge.Value);
        Assert.Equal(version, gauge.Tags[DigitModelTelemetry.ModelVersionTag]);

        // A refused file, then a good one: two reload attempts, and generation 2 of the new version.
        ServingTestFiles.Replace(path, [0x50, 0x4B, 0x03, 0x04, 1, 2, 3]);
        Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().LastReloadError is not null));
        ServingTestFiles.Replace(path, File.ReadAllBytes(f.ImageModelPath));
        Assert.True(ServingTestFiles.WaitFor(() => pool.GetModelInfo().Generation == 2));
        var reloads = recorded.Where(r => r.Instrument == DigitModelTelemetry.Reloads).Select(r => (string?)r.Tags[DigitModelTelemetry.OutcomeTag]).ToList();
        Assert.Equal(["refused", "loaded"], reloads);
        recorded.Clear();
        listener.RecordObservableInstruments();
        gauge = Assert.Single(recorded, r => r.Instrument == DigitModelTelemetry.ModelGeneration);
        Assert.Equal((2.0, ServingTestFiles.VersionOf(f.ImageModelPath)), (gauge.Value, gauge.Tags[DigitModelTelemetry.ModelVersionTag]));
        ServingTestFiles.DeleteFolderOf(path);
    }

    [Fact]
    public void TheMeterComesFromTheContainersMeterFactory()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddDigitModelPool(o => o.Models["digits"] = new DigitModelOptions { ModelPath = f.PixelModelPath });
        using var provider = services.BuildServiceProvider();
        var pool = provider.GetRequiredService<DigitModelPool>();
        Assert.Same(provider.GetRequiredService<IMeterFactory>(), pool.Meter.Scope);
        Assert.Equal(DigitModelTelemetry.MeterName, pool.Meter.Name);
    }
}
