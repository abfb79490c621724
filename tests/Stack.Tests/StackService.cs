using RedWhite.TestKit.Processes;

namespace RedWhite.Stack.Tests;

/// <summary>
/// One Gateway, Discovery or Admin instance of a <see cref="RedisStack"/>: its built DLL run as its own
/// process. It can be killed and started again on the same port with the same settings, so it comes back
/// where its clients expect it and with its own snapshot file, as a restarted instance in a studio would.
/// </summary>
public sealed class StackService : IAsyncDisposable
{
    private readonly string dll;
    private readonly string logDirectory;
    private readonly string[] args;
    private readonly Dictionary<string, string> environment;
    private ServiceProcess? process;

    private StackService(ServiceKind kind, string name, string dll, string logDirectory, string[] args, Dictionary<string, string> environment, string snapshotPath)
    {
        Kind = kind;
        Name = name;
        this.dll = dll;
        this.logDirectory = logDirectory;
        this.args = args;
        this.environment = environment;
        SnapshotPath = snapshotPath;
    }

    public ServiceKind Kind { get; }

    /// <summary>Instance name, e.g. <c>gateway-1</c>; also its log file's name.</summary>
    public string Name { get; }

    /// <summary>The loopback port, the same across restarts.</summary>
    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>This instance's last-known-good registry file.</summary>
    public string SnapshotPath { get; }

    /// <summary>Where it answers readiness: <c>/_rw/readyz</c> for the Gateway, <c>/readyz</c> otherwise.</summary>
    public string ReadyPath => Kind == ServiceKind.Gateway ? "/_rw/readyz" : "/readyz";

    public string LogFile => Path.Combine(logDirectory, Name + ".log");

    public bool IsRunning => process is { IsRunning: true };

    /// <summary>Where it answers liveness: <c>/_rw/healthz</c> for the Gateway, <c>/healthz</c> otherwise.</summary>
    public string AlivePath => Kind == ServiceKind.Gateway ? "/_rw/healthz" : "/healthz";

    /// <summary>
    /// Creates the instance and starts it; returns once its readiness answers 2xx, or with
    /// <paramref name="waitReady"/> false once it is alive (a reader waiting for a registry is alive, not ready).
    /// </summary>
    internal static async Task<StackService> StartAsync(
        ServiceKind kind, string name, string logDirectory, string snapshotPath, IEnumerable<string> args, Dictionary<string, string> environment,
        bool waitReady = true)
    {
        var (project, assembly) = kind switch
        {
            ServiceKind.Gateway => ("src/Gateway", "RedWhite.Gateway"),
            ServiceKind.Discovery => ("src/Discovery", "RedWhite.Discovery"),
            ServiceKind.Admin => ("src/Admin", "RedWhite.Admin"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var service = new StackService(kind, name, Repository.Dll(project, assembly), logDirectory, [.. args], environment, snapshotPath);
        try
        {
            await service.StartAgainAsync(waitReady);
            return service;
        }
        catch
        {
            await service.StopAsync(); // never leave a process behind that no one will dispose
            throw;
        }
    }

    /// <summary>Starts the stopped instance again (on the port it had, if any) and waits until it is ready.</summary>
    public async Task StartAgainAsync(bool waitReady = true)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        process = ServiceProcess.StartDotnet(Name, dll, logDirectory, args, environment, Port == 0 ? null : Port);
        Port = process.Port;
        await process.WaitReadyAsync(waitReady ? ReadyPath : AlivePath, TimeSpan.FromSeconds(60));
    }

    /// <summary>Kills the process, as a crash or a redeploy would.</summary>
    public async Task StopAsync()
    {
        if (process is { } running)
        {
            process = null;
            await running.DisposeAsync();
        }
    }

    /// <summary>Freezes the process (SIGSTOP), as a paused VM or a stalled host: its connections stay open, it does nothing.</summary>
    public Task PauseAsync() => Signals.SendAsync(Running.Pid, "-STOP", TimeSpan.FromSeconds(10));

    /// <summary>Thaws a paused process (SIGCONT).</summary>
    public Task ResumeAsync() => Signals.SendAsync(Running.Pid, "-CONT", TimeSpan.FromSeconds(10));

    private ServiceProcess Running => process ?? throw new InvalidOperationException($"{Name} is not running.");

    /// <summary>Kills the process and starts it again on the same port with the same settings.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAgainAsync();
    }

    /// <summary>The last lines of its log, for a failing test's output.</summary>
    public IEnumerable<string> LogTail(int lines)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return all.TakeLast(lines);
        }
        catch (IOException)
        {
            return [];
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public override string ToString() => $"{Name} ({Url})";
}

