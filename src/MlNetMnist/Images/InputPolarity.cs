namespace MlNetMnist.Images;

/// <summary>How a network treats the polarity (light-on-dark or dark-on-light) of its input images.</summary>
public enum InputPolarity
{
    /// <summary>Pixels are used as they are (the default; MNIST is light digits on a dark background).</summary>
    AsIs,

    /// <summary>
    /// The network starts with an <see cref="Networks.AutoInvertSpec"/> layer: an image whose border is
    /// light on average (mean above 127.5) is inverted (<c>255 - x</c>) before everything else, in
    /// training, in <c>Transform</c> and inside the saved ONNX graph. Dark-on-light images (scans,
    /// drawings on white) then score like the light-on-dark ones the network was trained on.
    /// </summary>
    AutoInvert,
}
