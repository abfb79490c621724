using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RedWhite.TestKit;

/// <summary>
/// Redis as production runs it: a primary, one replica and three Sentinels (Debian's <c>redis-sentinel</c>, or
/// <c>redis-server --sentinel</c>), all on free loopback ports. The services connect through the Sentinels
/// (<see cref="ConnectionString"/>); killing the primary makes the Sentinels promote the replica, and the killed one,
/// started again, comes back as the new primary's replica.
/// </summary>
public sealed class RedisReplicaSet : IAsyncDisposable
{
    /// <summary>The name the Sentinels know the primary by.</summary>
    public const string ServiceName = "redwhite";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly List<Sentinel> sentinels = [];

    private RedisReplicaSet(RedisServer first, RedisServer second)
    {
        Servers = [first, second];
    }

    /// <summary>Both data servers, whichever is primary now.</summary>
    public IReadOnlyList<RedisServer> Servers { get; }

    /// <summary>The connection string through the Sentinels: <c>127.0.0.1:…,127.0.0.1:…,127.0.0.1:…,serviceName=redwhite</c>.</summary>
    public string ConnectionString =>
        string.Join(",", sentinels.Select(s => $"127.0.0.1:{s.Port.ToString(CultureInfo.InvariantCulture)}")) + ",serviceName=" + ServiceName;

    /// <summary>Starts a primary, its replica (synced) and three Sentinels that all see both.</summary>
    public static async Task<RedisReplicaSet> StartAsync()
    {
        var primary = await RedisServer.StartAsync();
        var set = new RedisReplicaSet(primary, await RedisServer.StartReplicaAsync(primary));
        try
        {
            for (var i = 0; i < 3; i++)
            {
                set.sentinels.Add(Sentinel.Start(primary.Port));
            }

            await Eventually.TrueAsync(async () =>
            {
                foreach (var sentinel in set.sentinels)
                {
                    if (!await sentinel.SeesAllAsync())
                    {
                        return false;
                    }
                }

                return true;
            }, "three Sentinels to see the primary, its replica and each other", Deadline);
            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    /// <summary>The server the Sentinels name as primary now.</summary>
    public async Task<RedisServer> PrimaryAsync()
    {
        var port = await PrimaryPortAsync();
        return Servers.Single(s => s.Port == port);
    }

    /// <summary>The other one.</summary>
    public async Task<RedisServer> ReplicaAsync()
    {
        var port = await PrimaryPortAsync();
        return Servers.Single(s => s.Port != port);
    }

    /// <summary>
    /// Kills the primary (SIGKILL) and waits until the Sentinels have promoted the replica; returns the killed server,
    /// stopped, for the caller to start again when it chooses.
    /// </summary>
    public async Task<RedisServer> KillPrimaryAndFailOverAsync()
    {
        var primary = await PrimaryAsync();
        await primary.StopAsync();
        await Eventually.TrueAsync(async () => await PrimaryPortAsync() != primary.Port, "the Sentinels to promote the replica", Deadline);
        var promoted = await PrimaryAsync();
        await Eventually.TrueAsync(async () => (await promoted.CommandAsync("ROLE"))?.StartsWith("master", StringComparison.Ordinal) == true,
            "the promoted replica to act as primary", Deadline);
        return primary;
    }

    /// <summary>Starts a killed server again and waits until it is the primary's replica, in sync.</summary>
    public async Task RejoinAsync(RedisServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        await server.StartAgainAsync();
        await Eventually.TrueAsync(async () => (await server.CommandAsync("INFO", "replication"))?.Contains("master_link_status:up", StringComparison.Ordinal) == true,
            $"the server on {server.Port} to rejoin as a replica", Deadline);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var sentinel in sentinels)
        {
            sentinel.Dispose();
        }

        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }

    private async Task<int> PrimaryPortAsync()
    {
        foreach (var sentinel in sentinels)
        {
            try
            {
                var answer = await sentinel.CommandAsync("SENTINEL", "get-master-addr-by-name", ServiceName);
                var lines = answer?.Split('\n') ?? [];
                if (lines.Length == 2)
                {
                    return int.Parse(lines[1], CultureInfo.InvariantCulture);
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                // ask the next one
            }
        }

        throw new InvalidOperationException("No Sentinel names a primary.");
    }

    /// <summary>One Sentinel process with its own folder (it rewrites its configuration file as it learns).</summary>
    private sealed class Sentinel : IDisposable
    {
        private readonly Process process;
        private readonly string directory;

        private Sentinel(Process process, string directory, int port)
        {
            this.process = process;
            this.directory = directory;
            Port = port;
        }

        public int Port { get; }

        public static Sentinel Start(int primaryPort)
        {
            var port = RedisServer.FreePort();
            var directory = Path.Combine(Path.GetTempPath(), "rw-redis", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var config = Path.Combine(directory, "sentinel.conf");
            File.WriteAllText(config, string.Join('\n',
            [
                $"port {port}", "bind 127.0.0.1", "daemonize no", $"dir {directory}", "logfile \"\"", "loglevel warning",
                $"sentinel monitor {ServiceName} 127.0.0.1 {primaryPort} 2",
                $"sentinel down-after-milliseconds {ServiceName} 1000",
                $"sentinel failover-timeout {ServiceName} 5000",
                $"sentinel parallel-syncs {ServiceName} 1",
            ]) + "\n");

            // Debian's redis-sentinel is redis-server started in Sentinel mode; either runs it.
            var sentinelExecutable = RedisServer.FindExecutable("redis-sentinel");
            var info = sentinelExecutable is not null
                ? new ProcessStartInfo(sentinelExecutable) { ArgumentList = { config } }
                : new ProcessStartInfo(RedisServer.FindExecutable() ?? throw new InvalidOperationException("redis-server is not installed (apt-get install -y redis-server)."))
                {
                    ArgumentList = { config, "--sentinel" },
                };
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            info.WorkingDirectory = directory;
            var output = new StringBuilder();
            var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start a Sentinel.");
            process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new Sentinel(process, directory, port);
        }

        public Task<string?> CommandAsync(params string[] args) => RespClient.CommandAsync(Port, args, TimeSpan.FromSeconds(5));

        /// <summary>Whether it answers and knows the primary, the replica and the two other Sentinels.</summary>
        public async Task<bool> SeesAllAsync()
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"A Sentinel exited with {process.ExitCode}.");
            }

            try
            {
                return (await CommandAsync("INFO", "sentinel"))?.Contains("slaves=1,sentinels=3", StringComparison.Ordinal) == true;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                return false; // not listening yet
            }
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // the OS cleans the temp folder
            }
        }
    }
}
