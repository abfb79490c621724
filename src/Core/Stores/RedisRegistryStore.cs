using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedWhite.Core.Registry;
using StackExchange.Redis;

namespace RedWhite.Core.Stores;

/// <summary>
/// The registry in Redis, shared by many Gateway, Discovery and Admin instances. Every revision is kept
/// whole and immutable under <c>{prefix}rev:{n}</c>; <c>{prefix}current</c> names the current one;
/// <c>{prefix}revisions</c> (sorted set) indexes the kept revisions and <c>{prefix}audit</c> (list) holds
/// the audit log. A commit is one Lua script: revision check, document, pointer, audit and a PUBLISH of
/// the new revision on <c>{prefix}changed</c>, all or nothing.
/// </summary>
/// <remarks>
/// This is the only class that talks to the Redis client library (StackExchange.Redis 1.2.6, the one
/// that restores here), so moving to 2.x is a change to this file alone. Connection problems answer fast
/// with <see cref="RegistryStoreUnavailableException"/>: the client never aborts on a failed connect and
/// keeps reconnecting in the background, so a store created while Redis is down starts working when it
/// comes back.
/// </remarks>
public sealed class RedisRegistryStore : ISeedableRegistryStore, IDisposable
{
    /// <summary>Key prefix used when none is configured.</summary>
    public const string DefaultKeyPrefix = "rw:";

    private const int NotSubscribed = 0, Subscribing = 1, Subscribed = 2;

    private readonly ConfigurationOptions configuration;
    private readonly string endpoints;
    private readonly string prefix;
    private readonly RedisKey currentKey;
    private readonly RedisKey revisionsKey;
    private readonly RedisKey auditKey;
    private readonly RedisChannel channel;
    private readonly TimeSpan operationTimeout;
    private readonly ILogger logger;
    private readonly SemaphoreSlim connectGate = new(1, 1);
    private readonly Lock watchersLock = new();
    private Action[] watchers = [];
    private ConnectionMultiplexer? connection;
    private int subscription = NotSubscribed;
    private bool disposed;

    /// <summary>Creates a store; nothing connects until first use.</summary>
    /// <param name="configuration">
    /// A StackExchange.Redis connection string, e.g. <c>127.0.0.1:6379</c> or <c>10.0.0.5:6379,password=…</c>.
    /// Unless it says otherwise: <c>connectTimeout=2000</c>, <c>syncTimeout=2000</c> (also the limit for
    /// every call this store makes; a stopped Redis answers at once, this only bounds a hung one), <c>abortConnect=false</c>, <c>keepAlive=5</c>.
    /// </param>
    /// <param name="keyPrefix">Prefix of every key and of the channel, so several registries can share one Redis.</param>
    /// <param name="logger">Receives connection failures and restorations.</param>
    public RedisRegistryStore(string configuration, string keyPrefix = DefaultKeyPrefix, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        this.configuration = Configure(configuration);
        endpoints = string.Join(",", this.configuration.EndPoints.Select(Format));
        prefix = keyPrefix;
        currentKey = prefix + "current";
        revisionsKey = prefix + "revisions";
        auditKey = prefix + "audit";
        channel = new RedisChannel(prefix + "changed", RedisChannel.PatternMode.Literal);
        operationTimeout = TimeSpan.FromMilliseconds(this.configuration.SyncTimeout);
        this.logger = logger ?? NullLogger.Instance;
    }

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

    /// <summary>The key prefix, e.g. <c>rw:</c>.</summary>
    public string KeyPrefix => prefix;

    /// <inheritdoc />
    public string Describe() => $"redis {endpoints} ({prefix}*)";

    /// <inheritdoc />
    public async Task<RegistryDocument> LoadAsync(CancellationToken cancellationToken)
    {
        // Pointer first, then the whole document it names. Documents are immutable, so the two reads
        // cannot disagree, and readers never apply deltas.
        var (pointer, bytes) = await RunAsync("read the registry", async db =>
        {
            var value = await db.StringGetAsync(currentKey);
            return value.IsNull ? (value, RedisValue.Null) : (value, await db.StringGetAsync(RevisionKey((string)value!)));
        }, cancellationToken);

        if (pointer.IsNull)
        {
            throw new RegistryStoreEmptyException(
                $"The registry store {Describe()} holds no registry ({currentKey} is missing). Admin seeds it from the newest document it holds.");
        }

        if (!long.TryParse((string?)pointer, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            throw Invalid((string)currentKey!, $"'{pointer}' is not a revision number.");
        }

        if (bytes.IsNull)
        {
            throw Invalid((string)currentKey!, $"It names revision {revision}, which the store does not hold.");
        }

        if (Volatile.Read(ref subscription) == NotSubscribed && Watchers.Length > 0)
        {
            _ = SubscribeAsync(); // an earlier attempt failed while Redis was away; it is back now
        }

        return Parse(bytes, revision);
    }

    /// <inheritdoc />
    public async Task<RegistryDocument?> LoadRevisionAsync(long revision, CancellationToken cancellationToken)
    {
        var bytes = await RunAsync("read a revision", db => db.StringGetAsync(RevisionKey(revision)), cancellationToken);
        return bytes.IsNull ? null : Parse(bytes, revision);
    }

    /// <inheritdoc />
    /// <remarks>
    /// When Redis goes away after the script was sent, the commit may or may not have landed; the
    /// exception says so. Retrying with the same expected revision is safe either way: the check makes a
    /// repeat conflict instead of applying twice.
    /// </remarks>
    public async Task<RegistryDocument> CommitAsync(RegistryDocument next, long expectedRevision, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        var stored = next with { Revision = expectedRevision + 1 };
        var (written, head) = await RunScriptAsync(
            "commit", RedisRegistryScripts.Commit, stored, audit with { RevisionBefore = expectedRevision, RevisionAfter = stored.Revision },
            expectedRevision, cancellationToken);
        if (written)
        {
            return stored;
        }

        if (head == 0)
        {
            throw new RegistryStoreUnavailableException(
                $"The registry store {Describe()} holds no registry; Admin must seed it before changes can be made. Nothing changed.");
        }

        throw new RegistryConflictException(expectedRevision, head);
    }

    /// <inheritdoc />
    public async Task<bool> SeedIfBehindAsync(RegistryDocument document, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(audit);
        var seed = document.Revision < 1 ? document with { Revision = 1 } : document;
        var (written, _) = await RunScriptAsync(
            "seed", RedisRegistryScripts.Seed, seed, audit with { RevisionBefore = -1, RevisionAfter = seed.Revision }, seed.Revision, cancellationToken);
        return written;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> ListRevisionsAsync(int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        var values = await RunAsync("list revisions", db => db.SortedSetRangeByRankAsync(revisionsKey, 0, limit - 1, Order.Descending), cancellationToken);
        return [.. values.Select(v => long.TryParse((string?)v, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : -1).Where(r => r >= 0)];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        var values = await RunAsync("read the audit log", db => db.ListRangeAsync(auditKey, -limit, -1), cancellationToken);
        var entries = new List<AuditEntry>(values.Length);
        for (var i = values.Length - 1; i >= 0; i--)
        {
            if (TryParseAudit(values[i]) is { } entry)
            {
                entries.Add(entry); // an entry written by hand that does not parse is skipped, not fatal
            }
        }

        return entries;
    }

    /// <inheritdoc />
    /// <remarks>Fires on every published change and whenever a connection to Redis is restored, because
    /// messages published while disconnected are lost and the reader must re-read.</remarks>
    public IDisposable Watch(Action onChanged)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        lock (watchersLock)
        {
            watchers = [.. watchers, onChanged];
        }

        if (Volatile.Read(ref subscription) == NotSubscribed)
        {
            _ = SubscribeAsync();
        }

        return new Watcher(this, onChanged);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ConnectionMultiplexer? open;
        lock (watchersLock)
        {
            disposed = true;
            watchers = [];
            open = connection;
            connection = null;
        }

        if (open is not null)
        {
            open.ConnectionFailed -= OnConnectionFailed;
            open.ConnectionRestored -= OnConnectionRestored;
            open.Close(allowCommandsToComplete: false);
            open.Dispose();
        }
    }

    private Action[] Watchers => Volatile.Read(ref watchers);

    private RedisKey RevisionKey(long revision) => prefix + "rev:" + revision.ToString(CultureInfo.InvariantCulture);

    private RedisKey RevisionKey(string revision) => prefix + "rev:" + revision;

    private async Task<(bool Written, long Head)> RunScriptAsync(
        string what, string script, RegistryDocument document, AuditEntry audit, long revisionArgument, CancellationToken cancellationToken)
    {
        RedisKey[] keys = [currentKey, revisionsKey, auditKey, RevisionKey(document.Revision)];
        RedisValue[] values =
        [
            revisionArgument,
            RegistryJson.Serialize(document),
            JsonSerializer.Serialize(audit, RegistryJson.Options),
            (string)channel!,
        ];
        var result = await RunAsync(what, db => db.ScriptEvaluateAsync(script, keys, values), cancellationToken, mayHaveLanded: true);
        var reply = (RedisResult[])result!;
        return ((long)reply[0] == 1, (long)reply[1]);
    }

    /// <summary>Runs one call with a deadline and turns every way Redis can fail into one exception type.</summary>
    private async Task<T> RunAsync<T>(string what, Func<IDatabase, Task<T>> operation, CancellationToken cancellationToken, bool mayHaveLanded = false)
    {
        var multiplexer = await ConnectAsync(cancellationToken);
        try
        {
            // Forced yield: 1.2.6 completes tasks on its own socket thread, and callers (the registry
            // monitor) do file I/O after a read; that must not stall every other Redis reply.
            return await operation(multiplexer.GetDatabase()).WaitAsync(operationTimeout, cancellationToken)
                .ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            var outcome = mayHaveLanded && ex is not RedisConnectionException { FailureType: ConnectionFailureType.UnableToConnect }
                ? " If the request reached Redis before the failure it may have been applied; re-read before retrying (a retry with the same expected revision conflicts rather than applying twice)."
                : " Nothing changed.";
            throw new RegistryStoreUnavailableException($"Redis {endpoints} could not {what}: {ex.Message}.{outcome}", ex);
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref connection) is { } open)
        {
            return open;
        }

        await connectGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (connection is { } raced)
            {
                return raced;
            }

            // abortConnect=false: this returns after connectTimeout even when Redis is down, with a
            // multiplexer that keeps trying in the background. Calls made meanwhile fail fast.
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration)
                .WaitAsync(TimeSpan.FromMilliseconds(configuration.ConnectTimeout * 2.0), cancellationToken)
                .ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            multiplexer.PreserveAsyncOrder = false; // notifications and replies need no ordering across callers
            multiplexer.ConnectionFailed += OnConnectionFailed;
            multiplexer.ConnectionRestored += OnConnectionRestored;
            lock (watchersLock)
            {
                if (disposed)
                {
                    multiplexer.Dispose();
                    throw new ObjectDisposedException(nameof(RedisRegistryStore));
                }

                connection = multiplexer;
            }

            if (!multiplexer.IsConnected)
            {
                Log.RedisConnectionFailed(logger, endpoints, "Interactive", "UnableToConnect", "not reachable at start; retrying in the background");
            }

            return multiplexer;
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw new RegistryStoreUnavailableException($"Redis {endpoints} cannot be reached: {ex.Message}. Nothing changed.", ex);
        }
        finally
        {
            connectGate.Release();
        }
    }

    private async Task SubscribeAsync()
    {
        if (Interlocked.CompareExchange(ref subscription, Subscribing, NotSubscribed) != NotSubscribed)
        {
            return;
        }

        try
        {
            var multiplexer = await ConnectAsync(CancellationToken.None);
            await multiplexer.GetSubscriber().SubscribeAsync(channel, OnMessage).WaitAsync(operationTimeout)
                .ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            Volatile.Write(ref subscription, Subscribed);
            Notify(); // a change may have landed before the subscription was in place
        }
        catch (Exception ex)
        {
            // Background work: never throw. The client resubscribes on reconnect; a failed first attempt is
            // retried when a connection is restored or the next read succeeds. Readers poll meanwhile.
            Volatile.Write(ref subscription, NotSubscribed);
            if (!disposed)
            {
                Log.RedisSubscribeFailed(logger, endpoints, ex.Message);
            }
        }
    }

    private void OnMessage(RedisChannel from, RedisValue revision) => Notify();

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        Log.RedisConnectionFailed(logger, endpoints, e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception?.Message ?? "");

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Log.RedisConnectionRestored(logger, endpoints, e.ConnectionType.ToString());
        if (Volatile.Read(ref subscription) == NotSubscribed && Watchers.Length > 0)
        {
            _ = SubscribeAsync();
        }

        Notify(); // whatever was published while we were away is lost: every reader re-reads
    }

    private void Notify()
    {
        foreach (var watcher in Watchers)
        {
            try
            {
                watcher();
            }
            catch (Exception ex)
            {
                Log.WatcherFailed(logger, ex); // one faulty watcher must not starve the others
            }
        }
    }

    private void Unwatch(Action onChanged)
    {
        lock (watchersLock)
        {
            watchers = [.. watchers.Where(w => !ReferenceEquals(w, onChanged))];
        }
    }

    private RegistryDocument Parse(RedisValue bytes, long revision)
    {
        var key = (string)RevisionKey(revision)!;
        var document = RegistryJson.TryParse((byte[])bytes!, out var errors) ?? throw new RegistryFormatException($"{Describe()} {key}", errors);
        return document.Revision == revision
            ? document
            : throw Invalid(key, $"It holds a document whose revision is {document.Revision}, not {revision}.");
    }

    private RegistryFormatException Invalid(string key, string problem) =>
        new(Describe(), new Dictionary<string, string[]> { [key] = [problem] });

    private static AuditEntry? TryParseAudit(RedisValue value)
    {
        try
        {
            return value.IsNull ? null : JsonSerializer.Deserialize<AuditEntry>((string)value!, RegistryJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsUnavailable(Exception ex) =>
        ex is RedisException or TimeoutException or SocketException or IOException;

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
        options.ClientName ??= "redwhite-registry";
        return options;
    }

    private static string Format(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => ip.ToString(),
        _ => endpoint.ToString() ?? "?",
    };

    private sealed class Watcher(RedisRegistryStore store, Action onChanged) : IDisposable
    {
        public void Dispose() => store.Unwatch(onChanged);
    }
}
