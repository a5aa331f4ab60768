namespace MlNetMnist;

/// <summary>
/// Options of <see cref="TorchCnnEnsembleTrainer"/>: which networks make up the ensemble. Either
/// <see cref="Count"/> copies of <see cref="Member"/> with distinct seeds (<c>Member.Seed</c>,
/// <c>Member.Seed + 1</c>, ..., or seeds drawn from the <c>MLContext</c> when it is null), or one
/// options object per member in <see cref="Members"/> (for example different architectures or recipes).
/// </summary>
public sealed class TorchCnnEnsembleOptions
{
    /// <summary>The options every member is trained with, except the seed. Default: the <c>fast</c> preset (the default options).</summary>
    public TorchCnnOptions Member { get; set; } = new();

    /// <summary>
    /// Members trained from <see cref="Member"/>, member <c>i</c> with seed <c>Member.Seed + i</c>, or, when
    /// <c>Member.Seed</c> is null, each with its own seed drawn from the <c>MLContext</c> (as for a single
    /// network). Default 5.
    /// </summary>
    public int Count { get; set; } = 5;

    /// <summary>
    /// One options object per member, trained as given (seeds included). When not empty,
    /// <see cref="Member"/> and <see cref="Count"/> are ignored. All members must read the same label
    /// and feature columns.
    /// </summary>
    public IList<TorchCnnOptions> Members { get; } = new List<TorchCnnOptions>();

    /// <summary>Called before each member starts training, with its 0-based index, the member count and its options.</summary>
    public Action<int, int, TorchCnnOptions>? MemberStarting { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> (or <see cref="ArgumentOutOfRangeException"/>) naming the first option out of range.</summary>
    public void Validate() => _ = ResolveMembers();

    /// <summary>A copy of these options (member options copied too; callbacks shared).</summary>
    public TorchCnnEnsembleOptions Clone()
    {
        var copy = new TorchCnnEnsembleOptions { Member = Member.Clone(), Count = Count, MemberStarting = MemberStarting };
        foreach (var member in Members) copy.Members.Add(member.Clone());
        return copy;
    }

    /// <summary>The options of each member, validated, in training order.</summary>
    internal IReadOnlyList<TorchCnnOptions> ResolveMembers()
    {
        List<TorchCnnOptions> members;
        if (Members.Count > 0)
        {
            members = Members.Select((m, i) => (m ?? throw new ArgumentException($"TorchCnnEnsembleOptions.Members[{i}] is null.", nameof(Members))).Clone()).ToList();
        }
        else
        {
            if (Count < 1)
                throw new ArgumentOutOfRangeException(nameof(Count), Count, $"TorchCnnEnsembleOptions.Count is {Count}; expected at least 1.");
            var member = Member ?? throw new ArgumentException("TorchCnnEnsembleOptions.Member is null.", nameof(Member));
            members = Enumerable.Range(0, Count).Select(i =>
            {
                var o = member.Clone();
                if (member.Seed is int seed) o.Seed = checked(seed + i);
                return o;
            }).ToList();
        }

        for (int i = 0; i < members.Count; i++)
        {
            var m = members[i];
            m.Validate();
            if (m.CheckpointPath is not null || m.ResumeFromCheckpoint)
                throw new ArgumentException($"Ensemble member {i}: checkpoints are not supported inside an ensemble (TorchCnnOptions.CheckpointPath is set); train and checkpoint networks one by one instead.", nameof(Members));
            if (m.LabelColumnName != members[0].LabelColumnName || m.FeatureColumnName != members[0].FeatureColumnName)
                throw new ArgumentException(
                    $"Ensemble member {i} reads the columns '{m.LabelColumnName}' and '{m.FeatureColumnName}', member 0 reads '{members[0].LabelColumnName}' and '{members[0].FeatureColumnName}'; all members must read the same columns.",
                    nameof(Members));
        }
        return members;
    }
}
