using Microsoft.Extensions.Hosting;

namespace MlNetMnist.Serving;

/// <summary>Loads every model of the <see cref="DigitModelPool"/> when the host starts (a model that cannot be loaded stops the start).</summary>
internal sealed class DigitModelPoolWarmup(DigitModelPool pool) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        pool.LoadAll();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
