namespace MlNetMnist.Training;

/// <summary>Optimisers the trainer can use.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba).</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay.</summary>
    AdamW,
    /// <summary>Stochastic gradient descent with (Nesterov) momentum.</summary>
    Sgd,
    /// <summary>Adadelta, as in the classic PyTorch MNIST example (learning rate 1.0).</summary>
    Adadelta,
}

/// <summary>How the learning rate changes during training.</summary>
public enum LearningRateSchedule
{
    /// <summary>The learning rate stays at <c>LearningRate</c>.</summary>
    Constant,
    /// <summary>Multiplied by <c>StepGamma</c> every <c>StepEpochs</c> epochs (PyTorch's StepLR).</summary>
    Step,
    /// <summary>One-cycle policy: warm up to <c>LearningRate</c>, then anneal to near zero, stepped every batch.</summary>
    OneCycle,
}

/// <summary>Where the network is trained and scored.</summary>
public enum TorchDevice
{
    /// <summary>The CPU (default).</summary>
    Cpu,
    /// <summary>The first CUDA GPU; requires the CUDA build of TorchSharp and a GPU (see README).</summary>
    Cuda,
    /// <summary>CUDA when TorchSharp reports a usable GPU, otherwise the CPU.</summary>
    Auto,
}
