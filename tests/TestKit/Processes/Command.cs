using System.Diagnostics;

namespace RedWhite.TestKit.Processes;

/// <summary>Runs a program to its end within a deadline (killed past it), from the repository root unless told.</summary>
public static class Command
{
    /// <summary>The exit code and everything the program wrote; <paramref name="environment"/> is added to the program's.</summary>
    public static async Task<(int ExitCode, string Output, TimeSpan Elapsed)> RunAsync(
        string file, IEnumerable<string> arguments, TimeSpan deadline, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory ?? Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {deadline}:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr, clock.Elapsed);
    }
}
