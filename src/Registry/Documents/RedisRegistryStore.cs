using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedWhite.Core.Registry;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.Documents;

/// <summary>
/// The registry in Redis, shared by many Gateway, Discovery and Admin instances. Every revision is kept
/// whole and immutable under <c>{prefix}rev:{n}</c>; <c>{prefix}current</c> names the current one;
/// <c>{prefix}revisions</c> (sorted set) indexes the kept revisions, <c>{prefix}revision-times</c> when each was
/// committed, and <c>{prefix}audit</c> (list) holds the audit log. A commit is one Lua script: revision check,
/// document, pointer, audit, a PUBLISH of the new revision on <c>{prefix}changed</c> and the pruning of what is
/// past <see cref="RevisionRetention"/> and <see cref="AuditRetention"/>, all or nothing.
/// </summary>
/// <remarks>
/// Connecting, failure mapping and reconnection are <see cref="RedisConnection"/>'s, shared with the other
/// stores on the same Redis. Connection problems answer fast with <see cref="RegistryStoreUnavailableException"/>,
/// and a store created while Redis is down starts working when it comes back.
/// </remarks>
internal sealed partial class RedisRegistryStore : ISeedableRegistryStore, IDisposable
{
    /// <summary>Key prefix used when none is configured.</summary>
    public const string DefaultKeyPrefix = "rw:";

    private const int NotSubscribed = 0, Subscribing = 1, Subscribed = 2;

    private readonly RedisConnection connection;
    private readonly bool ownsConnection;
    private readonly string prefix;
    private readonly RedisKey currentKey;
    private readonly RedisKey revisionsKey;
    private readonly RedisKey auditKey;
    private readonly RedisKey commitTimesKey;
    private readonly RevisionRetention revisionRetention;
    private readonly AuditRetention auditRetention;
    private readonly TimeProvider time;
    private readonly RedisChannel channel;
    private readonly ILogger logger;
    private readonly Lock watchersLock = new();
    private Action<RegistryDocument?>[] watchers = [];
    private int subscription = NotSubscribed;
    private bool disposed;

    /// <summary>Creates a store with a connection of its own; nothing connects until first use.</summary>
    /// <param name="configuration">A StackExchange.Redis connection string (see <see cref="RedisConnection(string, ILogger?, RedisReplicationOptions?)"/>).</param>
    /// <param name="keyPrefix">Prefix of every key and of the channel, so several registries can share one Redis.</param>
    /// <param name="logger">Receives connection failures and restorations.</param>
    public RedisRegistryStore(string configuration, string keyPrefix = DefaultKeyPrefix, ILogger? logger = null)
        : this(new RedisConnection(configuration, logger), keyPrefix, logger, ownsConnection: true)
    {
    }

    /// <summary>Creates a store on a connection it shares with the other stores on the same Redis.</summary>
    /// <param name="connection">The shared connection.</param>
    /// <param name="keyPrefix">Prefix of every key and of the channel.</param>
    /// <param name="logger">Receives connection failures and restorations.</param>
    /// <param name="history">How many revisions are kept (default: 1,000, 90 days).</param>
    /// <param name="audit">How many audit entries are kept (default: 100,000).</param>
    /// <param name="time">The clock revisions' ages are read on.</param>
    public RedisRegistryStore(
        RedisConnection connection, string keyPrefix = DefaultKeyPrefix, ILogger? logger = null,
        RevisionRetention? history = null, AuditRetention? audit = null, TimeProvider? time = null)
        : this(connection, keyPrefix, logger, ownsConnection: false, history, audit, time)
    {
    }

    private RedisRegistryStore(
        RedisConnection connection, string keyPrefix, ILogger? logger, bool ownsConnection,
        RevisionRetention? history = null, AuditRetention? audit = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        prefix = keyPrefix;
        currentKey = prefix + "current";
        revisionsKey = prefix + "revisions";
        auditKey = prefix + "audit";
        commitTimesKey = prefix + "revision-times";
        revisionRetention = history ?? new RevisionRetention();
        auditRetention = audit ?? new AuditRetention();
        this.time = time ?? TimeProvider.System;
        channel = new RedisChannel(prefix + "changed", RedisChannel.PatternMode.Literal);
        this.logger = logger ?? NullLogger.Instance;
        connection.Restored += OnConnectionRestored;
    }

    /// <summary>The key prefix, e.g. <c>rw:</c>.</summary>
    public string KeyPrefix => prefix;

    /// <inheritdoc />
    public string Describe() => $"redis {connection.Endpoints} ({prefix}*)";

    /// <inheritdoc />
    public async Task<RegistryDocument> LoadAsync(CancellationToken cancellationToken) =>
        (await ReadAsync(head: false, cancellationToken)).Current;

    /// <inheritdoc />
    /// <remarks>
    /// The head is the higher of the pointer and the newest revision in the index, as in
    /// <see cref="RedisRegistryScripts.Commit"/>, read in the same script as the pointer.
    /// </remarks>
    public async Task<RegistryDocument> LoadHeadAsync(CancellationToken cancellationToken)
    {
        var (current, newest) = await ReadAsync(head: true, cancellationToken);
        return newest ?? current;
    }

    /// <summary>
    /// The document the pointer names and, with <paramref name="head"/>, the newest kept one when it is
    /// above the pointer: one script, one round trip. Documents are immutable, so readers never apply deltas.
    /// </summary>
    private async Task<(RegistryDocument Current, RegistryDocument? Newest)> ReadAsync(bool head, CancellationToken cancellationToken)
    {
        RedisKey[] keys = [currentKey, revisionsKey];
        RedisValue[] values = [prefix + "rev:", head ? "head" : "current"];
        var result = await RunAsync(head ? "read the newest revision" : "read the registry",
            db => db.ScriptEvaluateAsync(RedisRegistryScripts.Read, keys, values), cancellationToken);
        var reply = (RedisResult[])result!;
        var pointer = (RedisValue)reply[0];
        if (pointer.IsNull)
        {
            throw new RegistryStoreEmptyException(
                $"The registry store {Describe()} holds no registry ({currentKey} is missing). Admin seeds it from the newest document it holds.");
        }

        if (!long.TryParse((string?)pointer, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            throw Invalid((string)currentKey!, $"'{pointer}' is not a revision number.");
        }

        var bytes = (RedisValue)reply[1];
        if (bytes.IsNull)
        {
            throw Invalid((string)currentKey!, $"It names revision {revision}, which the store does not hold.");
        }

        if (Volatile.Read(ref subscription) == NotSubscribed && Watchers.Length > 0)
        {
            _ = SubscribeAsync(); // an earlier attempt failed while Redis was away; it is back now
        }

        var current = Parse(bytes, revision);
        var newestBytes = (RedisValue)reply[3];
        return newestBytes.IsNull || !long.TryParse((string?)(RedisValue)reply[2], NumberStyles.None, CultureInfo.InvariantCulture, out var newest)
            ? (current, null)
            : (current, Parse(newestBytes, newest));
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
    public Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return RunAsync("record an audit entry", async db =>
        {
            var batch = db.CreateTransaction(); // the entry and the trim to Registry:Audit:Keep, together
            var push = batch.ListRightPushAsync(auditKey, JsonSerializer.Serialize(entry, RegistryJson.Options));
            var trim = batch.ListTrimAsync(auditKey, -auditRetention.Keep, -1);
            var done = await batch.ExecuteAsync();
            await Task.WhenAll(push, trim);
            return done;
        }, cancellationToken);
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

    private RedisKey RevisionKey(long revision) => prefix + "rev:" + revision.ToString(CultureInfo.InvariantCulture);

    private async Task<(bool Written, long Head)> RunScriptAsync(
        string what, string script, RegistryDocument document, AuditEntry entry, long revisionArgument, CancellationToken cancellationToken)
    {
        RedisKey[] keys = [currentKey, revisionsKey, auditKey, RevisionKey(document.Revision), commitTimesKey];
        var now = time.GetUtcNow();
        RedisValue[] values =
        [
            revisionArgument,
            RegistryJson.Serialize(document),
            JsonSerializer.Serialize(entry, RegistryJson.Options),
            (string)channel!,
            revisionRetention.Keep,
            now.ToUnixTimeMilliseconds(),
            (now - revisionRetention.MaxAge).ToUnixTimeMilliseconds(),
            auditRetention.Keep,
            prefix + "rev:",
        ];
        // A write the Admins answer 2xx for must survive a failover: it waits for Registry:Redis:MinReplicas replicas.
        var result = await connection.RunDurableAsync(what, db => db.ScriptEvaluateAsync(script, keys, values), cancellationToken);
        var reply = (RedisResult[])result!;
        return ((long)reply[0] == 1, (long)reply[1]);
    }

    private Task<T> RunAsync<T>(string what, Func<IDatabase, Task<T>> operation, CancellationToken cancellationToken, bool mayHaveLanded = false) =>
        connection.RunAsync(what, operation, cancellationToken, mayHaveLanded);

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
}
