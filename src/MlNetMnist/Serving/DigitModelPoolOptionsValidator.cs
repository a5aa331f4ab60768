using Microsoft.Extensions.Options;

namespace MlNetMnist.Serving;

/// <summary>Validates <see cref="DigitModelPoolOptions"/> (at start-up, with <c>ValidateOnStart</c>).</summary>
internal sealed class DigitModelPoolOptionsValidator : IValidateOptions<DigitModelPoolOptions>
{
    public ValidateOptionsResult Validate(string? name, DigitModelPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
