using System.Diagnostics;
using System.Globalization;

namespace RedWhite.TestKit.Processes;

/// <summary>Sends a POSIX signal to a process with <c>kill</c>, as an operator (or a hung host) would.</summary>
public static class Signals
{
    /// <summary>Sends <paramref name="signal"/> (<c>-STOP</c>, <c>-CONT</c>, ...) to <paramref name="pid"/>; throws when <c>kill</c> fails.</summary>
    public static async Task SendAsync(int pid, string signal, TimeSpan timeout)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        await kill.WaitForExitAsync().WaitAsync(timeout);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {pid} exited with {kill.ExitCode}.");
        }
    }
}
