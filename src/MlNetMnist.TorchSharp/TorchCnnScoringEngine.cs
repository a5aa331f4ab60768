namespace MlNetMnist;

/// <summary>
/// What runs a trained network when its transformer scores in process (<c>Transform</c>, prediction
/// engines, <c>Predict</c>). Training always runs on TorchSharp; a model loaded from <c>model.zip</c>
/// always scores with ONNX Runtime through ML.NET's <c>OnnxTransformer</c>.
/// </summary>
public enum TorchCnnScoringEngine
{
    /// <summary><see cref="OnnxRuntime"/> when the network is on the CPU, <see cref="TorchSharp"/> when it is on a GPU.</summary>
    Auto,

    /// <summary>TorchSharp (LibTorch) on the training device, with batch norms folded into the convolutions.</summary>
    TorchSharp,

    /// <summary>
    /// ONNX Runtime on the CPU with the graph <c>model.zip</c> saves (in batch layout, the calibration
    /// included): the trained transformer answers what the saved model answers, and scores small
    /// convolutional networks about twice as fast as LibTorch on a CPU (see the README's benchmark).
    /// Batches use <see cref="TorchCnnOptions.Threads"/> threads (null: one per physical core);
    /// calls of a few rows run on the calling thread alone, so concurrent callers do not oversubscribe the cores.
    /// </summary>
    OnnxRuntime,
}
