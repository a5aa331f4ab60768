namespace MlNetMnist.Serving;

/// <summary>Scores one pixel vector; safe to call from several threads at once.</summary>
internal interface IPixelScorer : IDisposable
{
    /// <summary>The class probabilities of <paramref name="pixels"/> (and the out-of-distribution output when the model has one).</summary>
    ScoreRow Score(float[] pixels);
}
