using MlNetMnist.Native;
using MlNetMnist.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Training;

/// <summary>The ScalarSafe optimisers make exactly the updates of TorchSharp's own (they only change how long their Scalars live).</summary>
public class ScalarSafeOptimizerTests
{
    /// <summary>
    /// The same parameters and the same gradients (of <c>sum(p * g)</c>, which is exactly <c>g</c>) for 300
    /// steps, with and without weight decay, the learning rate halved every 50 steps by a scheduler: bit-identical parameters.
    /// </summary>
    [Theory]
    [InlineData("adamw", 0.0)]
    [InlineData("adamw", 0.01)]
    [InlineData("adam", 0.0)]
    [InlineData("adam", 0.01)]
    [InlineData("sgd", 0.0)]
    [InlineData("sgd-momentum", 0.01)]
    [InlineData("adadelta", 0.0)]
    [InlineData("adadelta", 0.01)]
    public void TheirUpdatesAreBitIdenticalToTorchSharps(string kind, double weightDecay)
    {
        LibTorchNative.EnsureLoaded();
        var random = new Random(5);
        var initial = Enumerable.Range(0, 257).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        using var ours = new Parameter(tensor(initial));
        using var theirs = new Parameter(tensor(initial));
        using optim.Optimizer safe = kind switch
        {
            "adamw" => new ScalarSafeAdamW([ours], 0.03, weightDecay),
            "adam" => new ScalarSafeAdam([ours], 0.03, weightDecay),
            "sgd" => new ScalarSafeSgd([ours], 0.03, 0, weightDecay, nesterov: false),
            "sgd-momentum" => new ScalarSafeSgd([ours], 0.03, 0.9, weightDecay, nesterov: true),
            _ => new ScalarSafeAdadelta([ours], 0.03, weightDecay),
        };
        using optim.Optimizer reference = kind switch
        {
            "adamw" => optim.AdamW([theirs], 0.03, weight_decay: weightDecay),
            "adam" => optim.Adam([theirs], 0.03, weight_decay: weightDecay),
            "sgd" => optim.SGD([theirs], 0.03, weight_decay: weightDecay),
            "sgd-momentum" => optim.SGD([theirs], 0.03, momentum: 0.9, weight_decay: weightDecay, nesterov: true),
            _ => optim.Adadelta([theirs], 0.03, weight_decay: weightDecay),
        };
        var safeSchedule = optim.lr_scheduler.StepLR(safe, 50, 0.5);
        var referenceSchedule = optim.lr_scheduler.StepLR(reference, 50, 0.5);
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
