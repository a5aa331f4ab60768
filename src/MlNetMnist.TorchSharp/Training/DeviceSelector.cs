using TorchSharp;

namespace MlNetMnist.Training;

/// <summary>Turns a <see cref="TorchDevice"/> choice into a TorchSharp device.</summary>
public static class DeviceSelector
{
    /// <summary>
    /// The device for <paramref name="choice"/>. <see cref="TorchDevice.Cuda"/> without a usable GPU
    /// throws <see cref="InvalidOperationException"/> saying why.
    /// </summary>
    public static torch.Device Resolve(TorchDevice choice) => choice switch
    {
        TorchDevice.Cpu => torch.CPU,
        TorchDevice.Cuda when torch.cuda.is_available() => torch.CUDA,
        TorchDevice.Cuda => throw new InvalidOperationException(
            "Device 'Cuda' was requested but TorchSharp reports no usable CUDA device. Build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU and driver, or use Device = Cpu or Auto."),
        TorchDevice.Auto => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
        _ => throw new ArgumentOutOfRangeException(nameof(choice), choice, "Unknown device."),
    };
}
