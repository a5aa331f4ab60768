using MlNetMnist.Native;
using MlNetMnist.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Training;

/// <summary>ScalarSafeAdamW and ScalarSafeAdam make exactly the updates of TorchSharp's own AdamW and Adam (they only change how long their Scalars live).</summary>
public class ScalarSafeOptimizerTests
{
    /// <summary>
    /// The same parameters and the same gradients (of <c>sum(p * g)</c>, which is exactly <c>g</c>) for 300
    /// steps, with and without weight decay, under a one-cycle schedule as in training: bit-identical parameters.
    /// </summary>
    [Theory]
    [InlineData(true, 0.0)]
    [InlineData(true, 0.01)]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.01)]
    public void TheirUpdatesAreBitIdenticalToTorchSharps(bool decoupled, double weightDecay)
    {
        LibTorchNative.EnsureLoaded();
        var random = new Random(5);
        var initial = Enumerable.Range(0, 257).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        using var ours = new Parameter(tensor(initial));
        using var theirs = new Parameter(tensor(initial));
        using optim.Optimizer safe = decoupled ? new ScalarSafeAdamW([ours], 0.03, weightDecay) : new ScalarSafeAdam([ours], 0.03, weightDecay);
        using optim.Optimizer reference = decoupled ? optim.AdamW([theirs], 0.03, weight_decay: weightDecay) : optim.Adam([theirs], 0.03, weight_decay: weightDecay);
        var safeSchedule = optim.lr_scheduler.OneCycleLR(safe, 0.03, total_steps: 300);
        var referenceSchedule = optim.lr_scheduler.OneCycleLR(reference, 0.03, total_steps: 300);
        for (int step = 0; step < 300; step++)
        {
            var gradient = Enumerable.Range(0, initial.Length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            foreach (var (parameter, optimizer, schedule) in new[] { (ours, safe, safeSchedule), (theirs, reference, referenceSchedule) })
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                (parameter * tensor(gradient)).sum().backward();
                optimizer.step();
                schedule.step();
            }
        }
        Assert.Equal(theirs.data<float>().ToArray(), ours.data<float>().ToArray());
        Assert.NotEqual(initial, ours.data<float>().ToArray());
    }
}
