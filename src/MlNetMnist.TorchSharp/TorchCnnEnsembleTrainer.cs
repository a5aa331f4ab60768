using Microsoft.ML;

namespace MlNetMnist;

/// <summary>
/// ML.NET estimator that trains several TorchSharp networks on the same data (distinct seeds, and
/// optionally different architectures, see <see cref="TorchCnnEnsembleOptions"/>) one after the other
/// and combines them into one <see cref="TorchCnnEnsembleTransformer"/> whose <c>Score</c> is the mean
/// of their class probabilities. Saved with <c>mlContext.Model.Save</c>, the ensemble is ONE ONNX
/// graph in <c>model.zip</c>, which loads with ML.NET alone like a single network. Create it with
/// <see cref="TorchCnnEnsembleCatalog.TorchCnnEnsemble"/>.
/// </summary>
public sealed class TorchCnnEnsembleTrainer : IEstimator<TorchCnnEnsembleTransformer>
{
    private readonly Func<TorchCnnOptions, TorchCnnTrainer> _memberTrainer;
    private readonly TorchCnnEnsembleOptions _options;
    private readonly IReadOnlyList<TorchCnnOptions> _members;

    internal TorchCnnEnsembleTrainer(Func<TorchCnnOptions, TorchCnnTrainer> memberTrainer, TorchCnnEnsembleOptions options)
    {
        _memberTrainer = memberTrainer;
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        _members = _options.ResolveMembers();
    }

    /// <summary>The options this trainer uses (a copy of those given).</summary>
    public TorchCnnEnsembleOptions Options => _options;

    /// <summary>The options of each member, in training order (seeds resolved).</summary>
    public IReadOnlyList<TorchCnnOptions> MemberOptions => _members;

    /// <summary>Trains every member on <paramref name="input"/> and combines them.</summary>
    public TorchCnnEnsembleTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>
    /// Trains every member on <paramref name="trainData"/>, each reporting on <paramref name="validationData"/>
    /// when given (as <see cref="TorchCnnTrainer.Fit(IDataView, IDataView?, CancellationToken)"/>), and
    /// combines them. Cancelling stops the member in training; the members already trained are freed.
    /// </summary>
    public TorchCnnEnsembleTransformer Fit(IDataView trainData, IDataView? validationData, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var trained = new List<TorchCnnTransformer>(_members.Count);
        try
        {
            for (int i = 0; i < _members.Count; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                _options.MemberStarting?.Invoke(i, _members.Count, _members[i]);
                trained.Add(_memberTrainer(_members[i]).Fit(trainData, validationData, cancellation));
            }
            return new TorchCnnEnsembleTransformer(trained);
        }
        catch
        {
            foreach (var member in trained) member.Dispose();
            throw;
        }
    }

    /// <summary>The output shape: the input's columns plus <c>Score</c> and <c>PredictedLabel</c>, as for a single network.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _memberTrainer(_members[0]).GetOutputSchema(inputSchema);
}
