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

    /// <summary>
    /// Several parameters of different shapes (laid out flat, <see cref="FlatParameters"/>): every update
    /// bit-identical to TorchSharp's optimiser on separate tensors, including after the state is saved half
    /// way and loaded into a new optimiser over copies of the parameters; the parameters stay the tensors the
    /// caller holds (a module's weights keep training) and zero_grad zeroes every gradient.
    /// </summary>
    [Theory]
    [InlineData("adamw", 0.0)]
    [InlineData("adamw", 0.01)]
    [InlineData("adam", 0.0)]
    [InlineData("adam", 0.01)]
    public void FlatUpdatesOfSeveralParametersAreBitIdenticalToTorchSharps(string kind, double weightDecay)
    {
        LibTorchNative.EnsureLoaded();
        var random = new Random(7);
        long[][] shapes = [[3, 4], [5], [2, 3, 3], [1]];
        var initial = shapes.Select(s => Enumerable.Range(0, (int)s.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToArray();
        using var owned = new OwnedParameters();
        Parameter[] NewParameters() => owned.Add(shapes.Select((s, i) => new Parameter(tensor(initial[i], s))).ToArray());
        optim.Optimizer Ours(Parameter[] p) => kind == "adamw" ? new ScalarSafeAdamW(p, 0.03, weightDecay) : new ScalarSafeAdam(p, 0.03, weightDecay);
        var ours = NewParameters();
        var theirs = NewParameters();
        var safe = Ours(ours);
        using optim.Optimizer reference = kind == "adamw" ? optim.AdamW(theirs, 0.03, weight_decay: weightDecay) : optim.Adam(theirs, 0.03, weight_decay: weightDecay);
        var gradients = Enumerable.Range(0, 200).Select(_ => shapes.Select((s, i) => Enumerable.Range(0, initial[i].Length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray()).ToArray();

        void Step(Parameter[] parameters, optim.Optimizer optimizer, float[][] g)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Assert.All(parameters, p => Assert.True(p.grad is null || p.grad.abs().max().ToSingle() == 0));
            parameters.Select((p, i) => (p * tensor(g[i], shapes[i])).sum()).Aggregate((a, b) => a + b).backward();
            optimizer.step();
        }

        for (int step = 0; step < 100; step++)
        {
            Step(ours, safe, gradients[step]);
            Step(theirs, reference, gradients[step]);
        }
        // Half way: the state saved, loaded into a new optimiser over copies of the parameters.
        using var saved = new MemoryStream();
        using (var writer = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true))
            ((OptimizerHelper)safe).save_state_dict(writer);
        var resumed = NewParameters();
        using (no_grad())
            for (int i = 0; i < resumed.Length; i++) resumed[i].copy_(ours[i]);
        using var resumedOptimizer = Ours(resumed);
        saved.Position = 0;
        using (var reader = new BinaryReader(saved))
            ((OptimizerHelper)resumedOptimizer).load_state_dict(reader);
        safe.Dispose();

        for (int step = 100; step < 200; step++)
        {
            Step(resumed, resumedOptimizer, gradients[step]);
            Step(theirs, reference, gradients[step]);
        }
        for (int i = 0; i < shapes.Length; i++)
        {
            Assert.Equal(shapes[i], resumed[i].shape);
            Assert.Equal(theirs[i].data<float>().ToArray(), resumed[i].data<float>().ToArray());
            Assert.NotEqual(initial[i], resumed[i].data<float>().ToArray());
        }
    }

    /// <summary>The parameters a test creates, disposed together when it ends (passed or failed).</summary>
    private sealed class OwnedParameters : IDisposable
    {
        private readonly List<Parameter> _parameters = [];

        public Parameter[] Add(Parameter[] parameters)
        {
            _parameters.AddRange(parameters);
            return parameters;
        }

        public void Dispose()
        {
            foreach (var parameter in _parameters) parameter.Dispose();
        }
    }
}
