using System.Text.RegularExpressions;

namespace MlNetMnist.Samples.Tests;

/// <summary>
/// The samples and the documentation never dispose a model through a prediction engine: every
/// <c>CreatePredictionEngine</c> they show passes <c>new PredictionEngineOptions { OwnsTransformer = false }</c>. The pitfall itself is shown in MlNetMnist.TorchSharp.Tests
/// (Conventions/PredictionEngineOwnershipTests).
/// </summary>
public sealed partial class PredictionEngineOwnershipTests
{
    [Fact]
    public void EveryPredictionEngineInTheSamplesAndDocsLeavesTheModelToItsOwner()
    {
        string root = RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(root, "samples"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "samples"), "*.md", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
            .Append(Path.Combine(root, "README.md"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        int calls = 0;
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            foreach (Match call in CreatePredictionEngineCall().Matches(text))
            {
                calls++;
                string statement = call.Value;
                Assert.True(statement.Contains("OwnsTransformer = false", StringComparison.Ordinal),
                    $"{Path.GetRelativePath(root, file)}: '{statement}' lets the engine dispose the model; pass new PredictionEngineOptions {{ OwnsTransformer = false }}.");
            }
        }
        Assert.True(calls > 0, "no CreatePredictionEngine call found: the test would be vacuous");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetMnist.sln"))) return dir.FullName;
        throw new InvalidOperationException($"MlNetMnist.sln not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>A <c>CreatePredictionEngine&lt;...&gt;(...)</c> call up to its closing parenthesis (one level of nesting).</summary>
    [GeneratedRegex(@"CreatePredictionEngine(?:<[^>]*>)?\((?:[^()]|\([^()]*\))*\)")]
    private static partial Regex CreatePredictionEngineCall();
}
