using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedWhite.TestKit;

/// <summary>
/// A real <c>redis-server</c> (the Debian package) on a free loopback port with its own temp folder, for
/// tests that need Redis as users run it. It can be stopped, started again on the same port (as a studio's
/// Redis would come back), flushed, and poked with raw commands, as an operator would with redis-cli.
/// Never skips: without <c>redis-server</c> on PATH it fails saying what to install.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly string executable;
    private readonly bool persistent;
    private readonly string? configFile;
    private Process? process;

    private RedisServer(string executable, int port, string directory, bool persistent, string? configFile, IReadOnlyList<string>? extra = null)
    {
        this.extra = extra ?? [];
        this.executable = executable;
        Port = port;
        Directory = directory;
        this.persistent = persistent;
        this.configFile = configFile;
    }

    private readonly IReadOnlyList<string> extra;

    /// <summary>The loopback port it listens on; the same across restarts.</summary>
    public int Port { get; }

    /// <summary>Its working folder (append-only file when persistent).</summary>
    public string Directory { get; }

    /// <summary>The connection string for StackExchange.Redis, e.g. <c>127.0.0.1:50123</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => process is { HasExited: false };

    /// <summary>
    /// Starts a server and waits until it answers PING. <paramref name="persistent"/> keeps data across
    /// <see cref="RestartAsync"/> (append-only file, fsync always); otherwise it runs with no persistence,
    /// so a restart comes back empty.
    /// </summary>
    public static Task<RedisServer> StartAsync(bool persistent = false) => StartAsync(persistent, configFile: null);

    /// <summary>
    /// Starts a server from a configuration file (e.g. the repository's <c>infra/redis.conf</c>), with only
    /// the port, the data folder and logging overridden, so tests run what a studio runs.
    /// </summary>
    public static Task<RedisServer> StartWithConfigAsync(string configFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configFile);
        return File.Exists(configFile)
            ? StartAsync(persistent: true, configFile: Path.GetFullPath(configFile))
            : throw new FileNotFoundException($"No Redis configuration at {configFile}.", configFile);
    }

    /// <summary>
    /// Starts a replica of <paramref name="primary"/> (<c>replicaof</c>) and waits until it holds the primary's data
    /// (<c>master_link_status:up</c>), as a studio's second Redis would run.
    /// </summary>
    public static async Task<RedisServer> StartReplicaAsync(RedisServer primary)
    {
        ArgumentNullException.ThrowIfNull(primary);
        var replica = await StartAsync(persistent: false, configFile: null, ["--replicaof", "127.0.0.1", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await Eventually.TrueAsync(async () => (await replica.CommandAsync("INFO", "replication"))?.Contains("master_link_status:up", StringComparison.Ordinal) == true,
            $"the replica on {replica.Port} to sync with {primary.Port}", StartTimeout);
        return replica;
    }

    private static async Task<RedisServer> StartAsync(bool persistent, string? configFile, IReadOnlyList<string>? extra = null)
    {
        var executable = FindExecutable()
            ?? throw new InvalidOperationException(
                "redis-server is not installed or not on PATH. Install the Debian package: `apt-get install -y redis-server` " +
                "(.ci/run does this). Redis tests never skip.");
        var directory = Path.Combine(Path.GetTempPath(), "rw-redis", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var server = new RedisServer(executable, FreePort(), directory, persistent, configFile, extra);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the stopped server again on the same port and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The Redis server is already running.");
        }

        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var arg in Arguments())
        {
            info.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        var started = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}.");
        started.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        started.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;

        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (started.HasExited)
                {
                    lock (output)
                    {
                        throw new InvalidOperationException($"redis-server exited with {started.ExitCode}:\n{output}");
                    }
                }

                return await TryPingAsync();
            }, $"redis-server to answer PING on port {Port}", StartTimeout);
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    /// <summary>Kills the server (as a crash or a pulled plug would) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (process is not { } running)
        {
            return;
        }

        if (!running.HasExited)
        {
            running.Kill(entireProcessTree: true); // SIGKILL also ends a paused server
        }

        await running.WaitForExitAsync().WaitAsync(StartTimeout);
        running.Dispose();
        process = null;
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open but nothing answers, like a hung host.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>Thaws a paused server (SIGCONT); it then serves whatever was sent meanwhile.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    /// <summary>Shuts the server down cleanly (<c>SHUTDOWN</c>: it flushes its append-only file), as a service restart does.</summary>
    public async Task ShutdownAsync()
    {
        if (process is not { HasExited: false } running)
        {
            return;
        }

        try
        {
            await CommandAsync("SHUTDOWN");
        }
        catch (IOException)
        {
            // the server closes the connection instead of answering: that is the success case
        }

        await running.WaitForExitAsync().WaitAsync(StartTimeout);
        running.Dispose();
        process = null;
    }

    /// <summary>Stops and starts again on the same port. Without persistence it comes back empty.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAgainAsync();
    }

    /// <summary>
    /// Configuration pointing a service at this Redis: store, prefix, a snapshot path (give each service
    /// instance its own, inside a test folder, so no snapshot leaks between tests), and a fast poll.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings(string snapshotPath, string keyPrefix = "rw:") =>
    [
        new("Registry:Store", "Redis"),
        new("Registry:Redis", ConnectionString),
        new("Registry:RedisKeyPrefix", keyPrefix),
        new("Registry:SnapshotPath", snapshotPath),
        new("Registry:PollInterval", "00:00:00.200"),
    ];

    /// <summary>Deletes every key, as <c>redis-cli FLUSHALL</c> would.</summary>
    public Task FlushAllAsync() => CommandAsync("FLUSHALL");

    /// <summary>
    /// Sends one command and returns the reply as text: simple strings and bulk strings as their value,
    /// integers as digits, nil as <c>null</c>, arrays joined with newlines. Errors throw.
    /// </summary>
    public Task<string?> CommandAsync(params string[] args) => RespClient.CommandAsync(Port, args, StartTimeout);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // the OS cleans the temp folder
        }
    }

    private List<string> Arguments()
    {
        var args = new List<string>();
        if (configFile is not null)
        {
            args.Add(configFile); // the file first: the options after it override it
        }

        args.AddRange(["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory]);
        args.AddRange(["--daemonize", "no", "--supervised", "no", "--logfile", "", "--loglevel", "warning"]);
        if (configFile is null)
        {
            args.AddRange(persistent
                ? ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
                : ["--save", "", "--appendonly", "no"]);
        }

        args.AddRange(extra);
        return args;
    }

    private Task SignalAsync(string signal) =>
        Processes.Signals.SendAsync((process ?? throw new InvalidOperationException("The Redis server is not running.")).Id, signal, StartTimeout);

    private async Task<bool> TryPingAsync()
    {
        try
        {
            return await CommandAsync("PING") == "PONG";
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or InvalidOperationException)
        {
            return false; // not listening yet, or still loading its data ("-LOADING")
        }
    }

    internal static string? FindExecutable(string name = "redis-server")
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin")
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
