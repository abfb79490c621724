using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RedWhite.TestKit.Processes;

/// <summary>
/// A service in its own process, as studios run it: started from its built DLL, bound to a free
/// loopback port, logged to a file, killed on dispose. Used by the cross-service tests and the benchmarks.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;
    private int disposed;

    private ServiceProcess(string name, Process process, StreamWriter log, int port)
    {
        Name = name;
        this.process = process;
        this.log = log;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    public int Pid => process.Id;

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The log file the process writes to.</summary>
    public string LogFile { get; private init; } = "";

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !process.HasExited;

    /// <summary>Starts <c>dotnet {dll} --urls http://127.0.0.1:{port} {args}</c> in the DLL's folder (so its appsettings load).</summary>
    /// <remarks>
    /// Pass <paramref name="port"/> to restart a service where its clients expect it, and <paramref name="openFileLimit"/> to
    /// start it with that many file descriptors at most (soft and hard limit, as <c>ulimit -n</c> sets them).
    /// </remarks>
    public static ServiceProcess StartDotnet(
        string name, string dll, string logDirectory, IEnumerable<string> args, IDictionary<string, string>? environment = null, int? port = null,
        int? openFileLimit = null)
    {
        port ??= FreePort();
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; build the solution first (tests/run and bench/run do).", dll);
        }

        string[] command = ["dotnet", dll, "--urls", $"http://127.0.0.1:{port}", .. args];
        if (openFileLimit is { } files)
        {
            // bash sets both limits, so the runtime cannot raise its soft limit to a higher hard one; exec keeps the pid.
            command = ["bash", "-c", $"ulimit -n {files} && exec \"$@\"", "bash", .. command];
        }

        return Start(name, command[0], command[1..], Path.GetDirectoryName(dll)!, logDirectory, port.Value, environment);
    }

    public static ServiceProcess Start(string name, string file, IEnumerable<string> args, string workingDirectory, string logDirectory, int port, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_gcServer"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var logFile = Path.Combine(logDirectory, $"{name}.log");
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(name, process, log, port) { LogFile = logFile };
    }

    /// <summary>Waits until <paramref name="path"/> answers 2xx, or fails after a deadline.</summary>
    public async Task WaitReadyAsync(string path, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(60)))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode}; see {LogFile}.");
            }

            try
            {
                if ((await http.GetAsync($"{Url}{path}")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // listening, but too busy starting to answer within the try's 2 s: try again
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} was not ready at {Url}{path}; see {LogFile}.");
    }

    /// <summary>Sends SIGTERM, as a container runtime, systemd or Kubernetes does to stop a service.</summary>
    public void Terminate()
    {
        if (kill(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"Could not send SIGTERM to {Name} ({process.Id}): errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Waits for the process to exit on its own; its exit code, or a timeout after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return process.ExitCode;
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>Peak resident memory of the process (VmHWM), in bytes.</summary>
    public long PeakMemoryBytes() => StatusKilobytes("VmHWM:") * 1024;

    /// <summary>Resident memory of the process now (VmRSS), in bytes.</summary>
    public long MemoryBytes() => StatusKilobytes("VmRSS:") * 1024;

    /// <summary>File descriptors the process holds open now.</summary>
    public int OpenDescriptors() => Directory.GetFiles($"/proc/{process.Id}/fd").Length;

    private long StatusKilobytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>
    /// A loopback port free now, for a process about to bind it. Chosen at random below the kernel's ephemeral range:
    /// a port the kernel hands out (bind to 0) is also what every outgoing connection on the machine takes its local
    /// port from, so one could take it between this call and the service's bind (seen in CI: "address already in use",
    /// and another test's server answering on the port). Test processes running side by side pick among ~20,000 ports.
    /// </summary>
    public static int FreePort()
    {
        var (ephemeralLow, _) = EphemeralRange();
        var low = Math.Max(1024, ephemeralLow - 20_000);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = Random.Shared.Next(low, ephemeralLow);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: another
            }
        }

        using var fallback = new TcpListener(IPAddress.Loopback, 0);
        fallback.Start();
        return ((IPEndPoint)fallback.LocalEndpoint).Port;
    }

    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (32768, 60999); // Linux's default
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return; // a scenario that stops a process early and the stack that tracks it may both dispose it
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }
}
