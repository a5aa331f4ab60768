using System.Globalization;
using ScaleOut;

// Scale-out check of DigitWebApp behind nginx (see README.md). Everything runs on 127.0.0.1, bounded in
// requests and time; every process started is stopped at the end.
//   dotnet samples/ScaleOut/bin/Release/net10.0/ScaleOut.dll [--scenario kill|swap|both] [--requests 20000]
//     [--concurrency 16] [--replicas 3] [--images 200] [--model-a A.zip --model-b B.zip | --models DIR]
//     [--mnist data/mnist] [--report FILE] [--time-limit-minutes 10]
var arguments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Fail($"Unexpected argument '{args[i]}': options are --name value.");
    arguments[args[i][2..]] = args[i + 1];
}
if (args.Length % 2 != 0) return Fail($"The option '{args[^1]}' has no value.");

int Int(string name, int fallback) => arguments.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
string mnist = arguments.GetValueOrDefault("mnist", "data/mnist");
string modelsDir = arguments.GetValueOrDefault("models", "artifacts/scale-out");
string modelA = arguments.GetValueOrDefault("model-a", Path.Combine(modelsDir, "model-a.zip"));
string modelB = arguments.GetValueOrDefault("model-b", Path.Combine(modelsDir, "model-b.zip"));
string scenario = arguments.GetValueOrDefault("scenario", "both");
if (scenario is not ("kill" or "swap" or "both")) return Fail("--scenario is kill, swap or both.");

// The replicas never train: the two models are made here, once, when missing.
foreach (var (path, rows) in new[] { (modelA, 10_000), (modelB, 3_000) })
{
    if (File.Exists(path)) continue;
    Console.WriteLine($"{path} does not exist: training it on {rows:N0} MNIST images ...");
    DigitWebApp.ModelBootstrap.TrainAndSave(Path.GetFullPath(path), mnist, Console.Out, rows);
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var reports = new List<string>();
bool allPassed = true;
foreach (var disruption in scenario switch
{
    "kill" => [ScaleOutOptions.Disruption.KillReplica],
    "swap" => [ScaleOutOptions.Disruption.SwapModel],
    _ => new[] { ScaleOutOptions.Disruption.KillReplica, ScaleOutOptions.Disruption.SwapModel },
})
{
    var options = new ScaleOutOptions
    {
        ModelA = Path.GetFullPath(modelA),
        ModelB = Path.GetFullPath(modelB),
        MnistDirectory = mnist,
        Replicas = Int("replicas", 3),
        Requests = Int("requests", 20_000),
        Concurrency = Int("concurrency", 16),
        Images = Int("images", 200),
        TimeLimit = TimeSpan.FromMinutes(Int("time-limit-minutes", 10)),
        Scenario = disruption,
    };
    if (arguments.TryGetValue("web-app", out var webApp)) options.WebAppAssembly = webApp;
    var report = await ScaleOutScenario.RunAsync(options, Console.Out, cancel.Token);
    string text = report.Format();
    Console.WriteLine();
    Console.WriteLine(text);
    reports.Add(text);
    bool passed = report.Failed == 0 && report.WrongAnswers == 0 && report.UnknownVersions == 0
        && (disruption != ScaleOutOptions.Disruption.SwapModel || report.FinalVersions.All(v => v.EndsWith(report.VersionB!, StringComparison.Ordinal)));
    Console.WriteLine(passed ? "PASSED: no request lost, every answer from the old or the new model." : "FAILED: see the figures above.");
    allPassed &= passed;
}
if (arguments.TryGetValue("report", out var reportPath))
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(reportPath))!);
    File.WriteAllText(reportPath, string.Join(Environment.NewLine, reports));
    Console.WriteLine($"Report written to {reportPath}");
}
return allPassed ? 0 : 1;

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
