using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// The flat layout of an Adam-family optimiser (<see cref="ScalarSafeAdam"/>, <see cref="ScalarSafeAdamW"/>):
/// the parameters and gradients of its one parameter group (<see cref="FlatParameters"/>) and both moments,
/// each parameter's moments in the optimiser's own state rebound as views into the flat ones, so that the
/// optimiser's state saves, loads and reads per parameter as before while one <see cref="AdamStep"/> on the
/// flat tensors updates every parameter.
/// </summary>
internal sealed class FlatAdamMoments : IDisposable
{
    private FlatAdamMoments(FlatParameters parameters)
    {
        Parameters = parameters;
        ExpAvg = parameters.NewState();
        ExpAvgSq = parameters.NewState();
    }

    /// <summary>
    /// The flat layout of an optimiser's parameters when it has one parameter group, handing each parameter
    /// and its views of the two moments to <paramref name="bind"/> (which puts them into the optimiser's
    /// state, see <see cref="Rebind"/>); null with several groups or when the parameters cannot share one
    /// tensor (<see cref="FlatParameters.TryCreate"/>).
    /// </summary>
    public static FlatAdamMoments? TryCreate(IList<ParamGroup> groups, Action<Parameter, Tensor, Tensor> bind)
    {
        if (groups.Count != 1) return null;
        var parameters = groups[0].Parameters.ToList();
        if (FlatParameters.TryCreate(parameters) is not { } flat) return null;
        var moments = new FlatAdamMoments(flat);
        for (int i = 0; i < parameters.Count; i++)
            bind(parameters[i], flat.ViewOf(moments.ExpAvg, i), flat.ViewOf(moments.ExpAvgSq, i));
        return moments;
    }

    /// <summary>Disposes a state tensor the optimiser made and returns the flat view that replaces it (values: zero in both).</summary>
    public static Tensor Rebind(Tensor own, Tensor view)
    {
        own.Dispose();
        return view;
    }

    /// <summary>The parameters and their gradients, flat.</summary>
    public FlatParameters Parameters { get; }

    /// <summary>The first moments (running mean of the gradients), flat.</summary>
    public Tensor ExpAvg { get; }

    /// <summary>The second moments (running mean of the squared gradients), flat.</summary>
    public Tensor ExpAvgSq { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Parameters.Dispose();
        ExpAvg.Dispose();
        ExpAvgSq.Dispose();
    }
}
