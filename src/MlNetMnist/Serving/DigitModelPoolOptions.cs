namespace MlNetMnist.Serving;

/// <summary>
/// Options of a <see cref="DigitModelPool"/>: the named models it serves and which one is the default.
/// Bound from the configuration section <see cref="SectionName"/>, for example in <c>appsettings.json</c>:
/// <code>
/// "DigitModels": {
///   "DefaultModel": "digits",
///   "Models": {
///     "digits": { "ModelPath": "models/digits.zip", "ConfidenceThreshold": 0.7 },
///     "digits-v2": { "ModelPath": "models/digits-v2.zip", "WatchForChanges": false }
///   }
/// }
/// </code>
/// </summary>
public sealed class DigitModelPoolOptions
{
    /// <summary>The configuration section these options are usually bound from: <c>DigitModels</c>.</summary>
    public const string SectionName = "DigitModels";

    /// <summary>
    /// The model used when a request names none. Default: none, which is allowed when there is exactly
    /// one model (that one is the default).
    /// </summary>
    public string? DefaultModel { get; set; }

    /// <summary>
    /// The models by name (names are compared ignoring case; letters, digits, '.', '_' and '-').
    /// </summary>
    public IDictionary<string, DigitModelOptions> Models { get; } = new Dictionary<string, DigitModelOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The name of the default model: <see cref="DefaultModel"/>, else the only model, else null.</summary>
    internal string? ResolveDefaultName() =>
        !string.IsNullOrWhiteSpace(DefaultModel) ? DefaultModel : Models.Count == 1 ? Models.Keys.Single() : null;

    /// <summary>Every problem with these options, each naming the configuration key it is about (empty when valid).</summary>
    internal IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Models.Count == 0)
            problems.Add($"{SectionName}:Models is empty: configure at least one model, e.g. {SectionName}:Models:digits:ModelPath = model.zip.");
        foreach (var (name, model) in Models)
        {
            if (!IsValidName(name))
            {
                problems.Add($"{SectionName}:Models:{name}: a model name is made of letters, digits, '.', '_' and '-'.");
                continue;
            }
            if (model is null)
            {
                problems.Add($"{SectionName}:Models:{name}: no options.");
                continue;
            }
            try
            {
                model.Validate();
            }
            catch (ArgumentException e)
            {
                problems.Add($"{SectionName}:Models:{name}: {FirstLine(e.Message)}");
            }
        }
        if (!string.IsNullOrWhiteSpace(DefaultModel) && !Models.ContainsKey(DefaultModel))
            problems.Add($"{SectionName}:DefaultModel '{DefaultModel}' is not one of the models ({string.Join(", ", Models.Keys)}).");
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when the options are not valid.</summary>
    internal void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems));
    }

    internal static bool IsValidName(string name) =>
        !string.IsNullOrEmpty(name) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    // ArgumentException appends " (Parameter 'x')" on a new line or after the message: keep the sentence.
    private static string FirstLine(string message)
    {
        int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
