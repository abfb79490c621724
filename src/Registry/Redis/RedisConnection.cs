using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace RedWhite.Registry.Redis;

/// <summary>
/// One connection to Redis shared by the stores that live there (the registry, Admin's idempotency records,
/// and the stores to come): connecting without ever aborting, reconnecting in the background, subscribing,
/// and turning every way Redis can fail into <see cref="RegistryStoreUnavailableException"/> with a short
/// message. The only class that knows the client library's connection side.
/// </summary>
internal sealed partial class RedisConnection : IDisposable
{
    private readonly ConfigurationOptions configuration;
    private readonly ILogger logger;
    private readonly SemaphoreSlim connectGate = new(1, 1);
    private readonly Lock disposeLock = new();
    private ConnectionMultiplexer? multiplexer;
    private bool disposed;
    private long lastRediscovery = long.MinValue / 2;

    /// <summary>Creates the connection; nothing connects until first use.</summary>
    /// <param name="configuration">
    /// A StackExchange.Redis connection string, e.g. <c>127.0.0.1:6379</c> or <c>10.0.0.5:6379,password=…</c>.
    /// Unless it says otherwise: <c>connectTimeout=2000</c>, <c>syncTimeout=2000</c> (also the limit for every
    /// call; a stopped Redis answers at once, this only bounds a hung one), <c>abortConnect=false</c>, <c>keepAlive=5</c>.
    /// </param>
    /// <param name="logger">Receives connection failures and restorations.</param>
    /// <param name="replication">How many replicas a durable write waits for, and how long; none: it waits for none.</param>
    public RedisConnection(string configuration, ILogger? logger = null, RedisReplicationOptions? replication = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        this.configuration = Configure(configuration);
        var servers = string.Join(",", this.configuration.EndPoints.Select(Format));
        Endpoints = this.configuration.ServiceName is { Length: > 0 } service ? $"{service} (sentinels {servers})" : servers;
        OperationTimeout = TimeSpan.FromMilliseconds(this.configuration.SyncTimeout);
        MinReplicas = replication?.ReplicasFor(configuration) ?? 0;
        ReplicaTimeout = replication?.ReplicaTimeout ?? TimeSpan.FromSeconds(1);
        // The client's own deadline must let a WAIT run its course (the call's limit stays OperationTimeout otherwise).
        this.configuration.AsyncTimeout = Math.Max(this.configuration.AsyncTimeout, (int)(ReplicaTimeout + OperationTimeout).TotalMilliseconds);
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised when a lost connection is back: messages published meanwhile were lost.</summary>
    public event Action? Restored;

    /// <summary>The servers, for messages: <c>127.0.0.1:6379</c>. Never the password.</summary>
    public string Endpoints { get; }

    /// <summary>The limit of every call.</summary>
    public TimeSpan OperationTimeout { get; }

    /// <summary>Whether <paramref name="configuration"/> is a connection string the client accepts; if not, <paramref name="error"/> says why.</summary>
    public static bool IsValidConfiguration(string? configuration, out string? error)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            error = "it is empty";
            return false;
        }

        try
        {
            error = Configure(configuration).EndPoints.Count == 0 ? "it names no server (expected host:port)" : null;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
        }

        return error is null;
    }

    /// <summary>Runs one call with the deadline and turns every way Redis can fail into one exception type.</summary>
    /// <param name="what">What the call does, for the message: "read the registry".</param>
    /// <param name="operation">The call.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="mayHaveLanded">A write whose effect may have reached Redis before the failure: the message says so.</param>
    /// <param name="deadline">The call's limit when not <see cref="OperationTimeout"/> (a <c>WAIT</c>).</param>
    public async Task<T> RunAsync<T>(string what, Func<IDatabase, Task<T>> operation, CancellationToken cancellationToken, bool mayHaveLanded = false, TimeSpan? deadline = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var open = await ConnectAsync(cancellationToken);
        try
        {
            return await operation(open.GetDatabase()).WaitAsync(deadline ?? OperationTimeout, cancellationToken);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            if (ex is RedisServerException { Message: var message } && message.StartsWith("READONLY", StringComparison.Ordinal))
            {
                FindPrimary(open);
            }

            var outcome = mayHaveLanded && ex is not RedisConnectionException { FailureType: ConnectionFailureType.UnableToConnect }
                ? " If the request reached Redis before the failure it may have been applied; re-read before retrying (a retry with the same expected revision conflicts rather than applying twice)."
                : " Nothing changed.";
            throw new RegistryStoreUnavailableException($"Redis {Endpoints} could not {what}: {Brief(ex)}.{outcome}", ex);
        }
    }

    /// <summary>Subscribes <paramref name="handler"/> to <paramref name="channel"/>; the client resubscribes by itself after a reconnect.</summary>
    public async Task SubscribeAsync(RedisChannel channel, Action<RedisChannel, RedisValue> handler)
    {
        var open = await ConnectAsync(CancellationToken.None);
        await open.GetSubscriber().SubscribeAsync(channel, handler).WaitAsync(OperationTimeout);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ConnectionMultiplexer? open;
        lock (disposeLock)
        {
            disposed = true;
            open = multiplexer;
            multiplexer = null;
        }

        if (open is not null)
        {
            open.ConnectionFailed -= OnConnectionFailed;
            open.ConnectionRestored -= OnConnectionRestored;
            open.Close(allowCommandsToComplete: false);
            open.Dispose();
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref multiplexer) is { } open)
        {
            return open;
        }

        await connectGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (multiplexer is { } raced)
            {
                return raced;
            }

            // abortConnect=false: this returns after connectTimeout even when Redis is down, with a
            // multiplexer that keeps trying in the background. Calls made meanwhile fail fast.
            var connected = await ConnectionMultiplexer.ConnectAsync(configuration)
                .WaitAsync(TimeSpan.FromMilliseconds(configuration.ConnectTimeout * 2.0), cancellationToken);
            connected.ConnectionFailed += OnConnectionFailed;
            connected.ConnectionRestored += OnConnectionRestored;
            lock (disposeLock)
            {
                if (disposed)
                {
                    connected.Dispose();
                    throw new ObjectDisposedException(nameof(RedisConnection));
                }

                multiplexer = connected;
            }

            if (!connected.IsConnected)
            {
                Log.RedisConnectionFailed(logger, Endpoints, "Interactive", "UnableToConnect", "not reachable at start; retrying in the background");
            }

            return connected;
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw new RegistryStoreUnavailableException($"Redis {Endpoints} cannot be reached: {Brief(ex)}. Nothing changed.", ex);
        }
        finally
        {
            connectGate.Release();
        }
    }

    /// <summary>
    /// A write reached a replica: after a failover, a node that was primary came back (empty, as a primary, until the
    /// Sentinels made it a replica) and this connection kept writing to it. Seen in the chaos run: one Discovery's reports
    /// failed for the rest of the run. The client is asked to find the primary again, at most every two seconds.
    /// </summary>
    private void FindPrimary(ConnectionMultiplexer open)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastRediscovery);
        if (now - last < 2000 || Interlocked.CompareExchange(ref lastRediscovery, now, last) != last)
        {
            return;
        }

        Log.RedisPrimaryMoved(logger, Endpoints);
        _ = open.ReconfigureAsync("a write reached a replica").ContinueWith(
            t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        Log.RedisConnectionFailed(logger, Endpoints, e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception?.Message ?? "");

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Log.RedisConnectionRestored(logger, Endpoints, e.ConnectionType.ToString());
        Restored?.Invoke();
    }

    /// <summary>
    /// The client's messages carry a long diagnostic tail (buffers, heartbeats, thread pool) that belongs in
    /// the logged inner exception, not in readiness or a 503 body: keep the first clause.
    /// </summary>
    private static string Brief(Exception ex)
    {
        var message = ex.Message;
        var cut = message.Length;

        // The client appends its connection diagnostics after these; readiness and 503 bodies need the cause only.
        foreach (var tail in (string[])["; ", ", inst:", ", mc:", ", command=", " on "])
        {
            var at = message.IndexOf(tail, StringComparison.Ordinal);
            if (at > 0 && at < cut)
            {
                cut = at;
            }
        }

        return message[..Math.Min(cut, 160)].TrimEnd('.');
    }

    /// <remarks>
    /// A connection that closes while a command is being written can surface as the pipe's "writing is not allowed
    /// after writer was completed" from inside the client: the store went away, like any other connection failure.
    /// </remarks>
    private static bool IsUnavailable(Exception ex) =>
        ex is RedisException or TimeoutException or SocketException or IOException ||
        ex is InvalidOperationException { Source: "System.IO.Pipelines" or "Pipelines.Sockets.Unofficial" or "StackExchange.Redis" };

    private static ConfigurationOptions Configure(string text)
    {
        var options = ConfigurationOptions.Parse(text);
        bool Says(string key) => text.Contains(key + "=", StringComparison.OrdinalIgnoreCase);
        if (!Says("connectTimeout"))
        {
            options.ConnectTimeout = 2000; // the client's handshake is several round trips; leave room on a busy host
        }

        if (!Says("syncTimeout"))
        {
            options.SyncTimeout = 2000;
        }

        if (!Says("abortConnect"))
        {
            options.AbortOnConnectFail = false;
        }

        if (!Says("keepAlive"))
        {
            options.KeepAlive = 5; // notice a silently dead peer in seconds, not a minute
        }

        options.ReconnectRetryPolicy ??= new LinearRetry(500); // back within a second of Redis returning

        // 2.x queues commands while disconnected and sends them on reconnect. A registry read or commit must
        // fail at once instead: callers answer 503 or fall back to what they hold, and a queued commit landing
        // later would surprise whoever was told it failed.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        // The .NET thread pool rather than the client's own dedicated threads: on small hosts shared with the
        // gateway's traffic, the dedicated workers only add threads competing for the same cores (measured in
        // bench/run propagation-redis: change-to-routing p50 about 15% lower).
        options.SocketManager ??= SocketManager.ThreadPool;
        options.ClientName ??= "redwhite-registry";
        return options;
    }

    private static string Format(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => ip.ToString(),
        _ => endpoint.ToString() ?? "?",
    };
}
