using Microsoft.Playwright;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// Headless Chromium driven by Playwright: Debian's <c>chromium</c> package at <see cref="ExecutablePath"/>
/// (CI installs it; Playwright's own browser downloads are never used). Shared by the report tests and
/// the web sample's tests; only projects that reference Playwright compile it (tests/Shared/Browser).
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} not found: install Debian's chromium package (apt-get install chromium); .ci/run does.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
