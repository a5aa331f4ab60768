using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// The random streams of one training run: the shuffle order, the batch augmentation, and the stream
/// that weight initialisation and dropout draw from. TorchSharp's modules draw from the process-wide
/// CPU generator; this run keeps its own copy of that generator's state and swaps it in (under a
/// process-wide lock) only while it initialises or runs a training forward pass, so that concurrent
/// trainings in one process neither disturb each other nor become irreproducible.
/// </summary>
internal sealed class TrainingRandom : IDisposable
{
    private static readonly object GlobalGeneratorLock = new();

    private readonly Generator _shuffle;
    private readonly Generator _augmentation;
    private byte[] _module;
    private byte[]? _epochStart;

    /// <summary>Seeds the streams from <paramref name="seed"/> (as the trainer always has: module stream = seed, shuffle = seed + 1, augmentation = seed + 2).</summary>
    public TrainingRandom(int seed)
    {
        _shuffle = new Generator((ulong)seed + 1);
        _augmentation = new Generator((ulong)seed + 2);
        lock (GlobalGeneratorLock)
        {
            using var saved = torch.random.get_rng_state();
            torch.random.manual_seed(seed); // also seeds the CUDA generators, as before
            using var seeded = torch.random.get_rng_state();
            _module = seeded.bytes.ToArray();
            torch.random.set_rng_state(saved);
        }
    }

    /// <summary>The generator of the batch augmentation.</summary>
    public Generator Augmentation => _augmentation;

    /// <summary>
    /// Runs <paramref name="action"/> with this run's module stream installed as TorchSharp's global CPU
    /// generator, and restores whatever was there before. Used for weight initialisation and for
    /// training forward passes of networks with dropout.
    /// </summary>
    public T WithModuleRandom<T>(Func<T> action)
    {
        lock (GlobalGeneratorLock)
        {
            using var saved = torch.random.get_rng_state();
            using (var mine = torch.tensor(_module))
                torch.random.set_rng_state(mine);
            try
            {
                return action();
            }
            finally
            {
                using (var after = torch.random.get_rng_state())
                    _module = after.bytes.ToArray();
                torch.random.set_rng_state(saved);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> (e.g. building a module whose random initial weights are then
    /// overwritten) so that the draws it makes from TorchSharp's global CPU generator leave no trace: under
    /// the same process-wide lock as <see cref="WithModuleRandom{T}"/>, with the generator's state restored
    /// afterwards. Without this, building an inference copy while another run initialises its network
    /// advanced that run's private stream (found by the concurrent-training determinism test).
    /// </summary>
    public static T WithoutGlobalDraws<T>(Func<T> action)
    {
        lock (GlobalGeneratorLock)
        {
            using var saved = torch.random.get_rng_state();
            try
            {
                return action();
            }
            finally
            {
                torch.random.set_rng_state(saved);
            }
        }
    }

    /// <summary>The shuffled row order of a new epoch; remembers the shuffle state it was drawn from.</summary>
    public Tensor BeginEpoch(long rows)
    {
        _epochStart = State(_shuffle);
        return randperm(rows, generator: _shuffle);
    }

    /// <summary>Marks the end of an epoch: the shuffle generator now stands at the start of the next one.</summary>
    public void EndEpoch() => _epochStart = null;

    /// <summary>
    /// The state of every stream. The shuffle state is the one the current epoch started from (or the
    /// next epoch will start from, between epochs), so that a resumed run draws the same row order.
    /// </summary>
    public RandomState Capture() => new(_module.ToArray(), _epochStart?.ToArray() ?? State(_shuffle), State(_augmentation));

    /// <summary>Restores the streams captured by <see cref="Capture"/>; the next <see cref="BeginEpoch"/> redraws that epoch's order.</summary>
    public void Restore(RandomState state)
    {
        _module = state.Module.ToArray();
        SetState(_shuffle, state.ShuffleAtEpochStart);
        SetState(_augmentation, state.Augmentation);
        _epochStart = null;
    }

    private static byte[] State(Generator generator)
    {
        using var state = generator.get_state();
        return state.bytes.ToArray();
    }

    private static void SetState(Generator generator, byte[] bytes)
    {
        using var state = torch.tensor(bytes);
        generator.set_state(state);
    }

    public void Dispose()
    {
        _shuffle.Dispose();
        _augmentation.Dispose();
    }
}
