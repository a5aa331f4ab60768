using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlNetMnist.Images;
using MlNetMnist.Serving;

namespace MlNetMnist.Tests.Serving;

/// <summary>
/// <see cref="DigitModelPoolOptions"/> bound from configuration (an appsettings.json section), validated at
/// start-up, and the pool's models loaded when a host starts.
/// </summary>
public class DigitModelPoolOptionsTests
{
    private const string AppSettings = """
        {
          "DigitModels": {
            "DefaultModel": "digits",
            "Models": {
              "digits": {
                "ModelPath": "models/digits.zip",
                "ConfidenceThreshold": 0.65,
                "TopCount": 5,
                "MaximumRetainedEngines": 3,
                "Threads": 1,
                "ReloadDelay": "00:00:00.250",
                "PollInterval": "00:00:05",
                "Preprocessing": { "CentreByMass": false, "Polarity": "AsIs" }
              },
              "digits-v2": { "ModelPath": "/srv/models/v2.zip", "WatchForChanges": false, "PollInterval": "00:00:00" }
            }
          }
        }
        """;

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Fact]
    public async Task NamedModelsAndTheirOptionsAreBoundFromAnAppSettingsSection()
    {
        var services = new ServiceCollection();
        services.AddDigitModelPool(Json(AppSettings).GetSection(DigitModelPoolOptions.SectionName));
        using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        var options = provider.GetRequiredService<IOptions<DigitModelPoolOptions>>().Value;

        Assert.Equal("digits", options.DefaultModel);
        Assert.Equal(["digits", "digits-v2"], options.Models.Keys.Order());
        var digits = options.Models["digits"];
        Assert.Equal("models/digits.zip", digits.ModelPath);
        Assert.Equal(0.65f, digits.ConfidenceThreshold);
        Assert.Equal(5, digits.TopCount);
        Assert.Equal(3, digits.MaximumRetainedEngines);
        Assert.Equal(1, digits.Threads);
        Assert.True(digits.WatchForChanges);
        Assert.Equal(TimeSpan.FromMilliseconds(250), digits.ReloadDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), digits.PollInterval);
        Assert.False(digits.Preprocessing.CentreByMass);
        Assert.Equal(InputPolarity.AsIs, digits.Preprocessing.Polarity);
        // Names compare ignoring case, as configuration keys do.
        var v2 = options.Models["DIGITS-V2"];
        Assert.Equal("/srv/models/v2.zip", v2.ModelPath);
        Assert.False(v2.WatchForChanges);
        Assert.Equal(TimeSpan.Zero, v2.PollInterval);
        Assert.Equal(0.8f, v2.ConfidenceThreshold); // the default

        // The pool is created from those options (nothing is loaded until used).
        var pool = provider.GetRequiredService<DigitModelPool>();
        Assert.Equal(["digits", "digits-v2"], pool.ModelNames);
        Assert.Equal("digits", pool.DefaultModelName);
        var info = pool.GetModelInfo("digits-v2");
        Assert.Equal(("/srv/models/v2.zip", false, null, 0L), (info.ModelPath, info.IsLoaded, info.Version, info.Generation));
        Assert.Equal(Path.GetFullPath("models/digits.zip"), pool.GetModelInfo().ModelPath);
        Assert.Throws<KeyNotFoundException>(() => pool.GetModelInfo("letters"));
    }

    [Fact]
    public void CodeConfigurationIsAddedToTheBoundSection()
    {
        var services = new ServiceCollection();
        services.AddDigitModelPool(Json(AppSettings).GetSection("DigitModels"))
            .Configure(o => o.Models["digits"].ConfidenceThreshold = 0.9f);
        services.AddDigitModelPool(o => o.Models["extra"] = new DigitModelOptions { ModelPath = "extra.zip" });
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<DigitModelPoolOptions>>().Value;
        Assert.Equal(0.9f, options.Models["digits"].ConfidenceThreshold);
        Assert.Equal(3, options.Models.Count);
        // Registering twice adds one pool, one validator and one start-up loader.
        Assert.Single(services, d => d.ServiceType == typeof(DigitModelPool));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<DigitModelPoolOptions>));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public async Task InvalidOptionsStopTheStartWithEveryProblemNamedByItsKey()
    {
        var services = new ServiceCollection();
        var configuration = Json("""
            {
              "DigitModels": {
                "DefaultModel": "letters",
                "Models": {
                  "digits": { "ModelPath": "model.zip", "ConfidenceThreshold": 1.5 },
                  "nopath": { "TopCount": 2 },
                  "slow": { "ModelPath": "slow.zip", "ReloadDelay": "-00:00:01" },
                  "bad name!": { "ModelPath": "x.zip" }
                }
              }
            }
            """).GetSection("DigitModels");
        services.AddDigitModelPool(configuration);
        using var provider = services.BuildServiceProvider();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));
        string message = error.Message;
        Assert.Contains("DigitModels:Models:digits: DigitPredictionServiceOptions.ConfidenceThreshold must be in [0, 1].", message);
        Assert.Contains("DigitModels:Models:nopath: DigitModelOptions.ModelPath must name the model file", message);
        Assert.Contains("DigitModels:Models:slow: DigitModelOptions.ReloadDelay must not be negative.", message);
        Assert.Contains("DigitModels:Models:bad name!: a model name is made of letters, digits", message);
        Assert.Contains("DigitModels:DefaultModel 'letters' is not one of the models", message);

        // The pool refuses the same options when created directly.
        var bound = new DigitModelPoolOptions();
        configuration.Bind(bound);
        var direct = Assert.Throws<ArgumentException>(() => new DigitModelPool(bound));
        Assert.Contains("ConfidenceThreshold must be in [0, 1]", direct.Message);
    }

    [Fact]
    public async Task AnEmptySectionIsRefusedAtStartUp()
    {
        var services = new ServiceCollection();
        services.AddDigitModelPool(Json("{}").GetSection("DigitModels"));
        using var provider = services.BuildServiceProvider();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));
        Assert.Contains("DigitModels:Models is empty", error.Message);
    }

    [Fact]
    public async Task AHostDoesNotStartWhenAModelFileIsMissingAndSaysWhichModelAndFile()
    {
        string missing = Path.Combine(TestData.NewTempDirectory("mlnetmnist-serving"), "missing.zip");
        var logs = new ListLoggerProvider();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(logs);
        builder.Services.AddDigitModelPool(o => o.Models["digits"] = new DigitModelOptions { ModelPath = missing });
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Digit model 'digits' could not be loaded", error.Message);
        Assert.Contains($"{missing}: model file not found", error.Message);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Event.Name == "LoadFailed" && e.Message.Contains(missing, StringComparison.Ordinal));
        ServingTestFiles.DeleteFolderOf(missing);
    }
}
