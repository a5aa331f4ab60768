using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ScaleOut;

/// <summary>Stops processes the way a supervisor does: SIGTERM first (graceful), SIGKILL when they do not go in time.</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends SIGTERM and waits; kills the process (and its children) if it has not exited within <paramref name="grace"/>.</summary>
    public static void Stop(Process process, TimeSpan grace)
    {
        try
        {
            if (process.HasExited) return;
            Kill(process.Id, SigTerm);
            if (!process.WaitForExit(grace)) process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
    }
}
