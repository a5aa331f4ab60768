using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>The rows <see cref="OutlierPool"/> adds to one batch.</summary>
/// <param name="Digits">Training digits prepared like user images, <c>[k, 784]</c>.</param>
/// <param name="Labels">Their labels, <c>[k]</c>.</param>
/// <param name="NonDigits">Non-digit images, <c>[k, 784]</c>.</param>
internal sealed record OutlierBatch(Tensor Digits, Tensor Labels, Tensor NonDigits);
