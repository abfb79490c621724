using System.Diagnostics.Metrics;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>
/// How many client connections this process holds at once, for their whole life (an upgraded connection, a
/// WebSocket, keeps its place: Kestrel's own limit lets it go on upgrade, and counts upgrades apart, so together
/// they let through twice what the descriptors hold). Past the limit a new connection is answered 503 with
/// <c>Retry-After</c> while a few hundred such answers are in flight, and closed at once beyond that: either way
/// before it costs a game-server socket or a request's buffers. The limit leaves room for what the process
/// itself needs (see <see cref="Reserve"/>) and for the memory connections take.
/// </summary>
/// <remarks>
/// The management listener (<c>Management:Urls</c>) has a small budget of its own, so a surge never locks out
/// the scrape that would show it. Admission is two interlocked operations per connection, none per request.
/// </remarks>
public sealed class ConnectionBudget : IDisposable
{
    /// <summary>Meter of the connection metrics.</summary>
    public const string MeterName = Telemetry.Prefix + "Connections";

    /// <summary>
    /// Descriptors kept for the process's own needs, beside the connections and the refusals in flight. Measured on the
    /// Gateway (BENCHMARKS.md "connection surges"): about 350 idle (the runtime, its socket engines, the listeners, loaded
    /// files, log pipes and the <see cref="DescriptorReserve"/>), and up to about 580 beyond its connections at the peak
    /// of a 9,000-connection surge (health probes, player reports, registry reads, refusals being accepted and closed).
    /// </summary>
    public const int Reserve = 768;

    /// <summary>Refused connections answered 503 at once at most; more than that are closed without an answer.</summary>
    public const int AnsweringSlots = 256;

    /// <summary>Fewest connections a limit allows however few descriptors there are: the service stays reachable.</summary>
    public const int Floor = 32;

    /// <summary>A limit the descriptors hold below this is worth a warning at start: a launch would fill it at once.</summary>
    public const int Useful = 1000;

    /// <summary>Connections the management listener holds at once (scrapes, health checks by operators).</summary>
    public const int ManagementConnections = 32;

    /// <summary>
    /// Health probes (<c>/healthz</c>, <c>/readyz</c>) served past the limit at once: a full instance is still alive and
    /// ready for the players it holds, and a load balancer that took it out for being full would cut them.
    /// </summary>
    public const int ProbeConnections = 16;

    /// <summary>
    /// Memory a connection is allowed in the derived limit: a proxied WebSocket measured 25-31 KiB of Gateway memory,
    /// doubled for bursts of traffic on it. The limit never promises more connections than half the memory the runtime
    /// may use holds at this size.
    /// </summary>
    public const long MemoryPerConnection = 64 * 1024;

    private readonly Meter meter;
    private readonly Counter<long> refused;
    private long open;
    private long upgraded;
    private long answering;
    private long management;
    private long probes;

    public ConnectionBudget(long? limit, long? openFileLimit, int descriptorsPerConnection, IMeterFactory meters, DescriptorReserve? reserve = null)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Reserved = reserve;
        Limit = limit;
        OpenFileLimit = openFileLimit;
        DescriptorsPerConnection = descriptorsPerConnection;
        meter = meters.Create(MeterName);
        refused = meter.CreateCounter<long>("redwhite.connections.refused", "{connection}",
            "Client connections refused, by reason (limit: the connection limit; descriptors: the process ran out of file descriptors) " +
            "and how (answered: 503 with Retry-After; closed: closed without an answer).");
        meter.CreateObservableUpDownCounter("redwhite.connections.open", Open, "{connection}",
            "Client connections open now, by kind (http; upgraded: WebSockets and other upgrades; management: the management listener).");
        meter.CreateObservableGauge("redwhite.connections.limit", () => Limit ?? -1, "{connection}",
            "Client connections this process accepts at once (-1: no limit).");
        meter.CreateObservableGauge("redwhite.process.descriptors", () => (long)ProcessDescriptors.Open(), "{descriptor}",
            "File descriptors this process holds open now.");
        meter.CreateObservableGauge("redwhite.process.descriptors.limit", () => OpenFileLimit ?? -1, "{descriptor}",
            "The most file descriptors this process may hold (its soft open-file limit; -1: unknown).");
    }

    /// <summary>Descriptors held back for running out anyway; while it is exhausted, new public connections are closed.</summary>
    public DescriptorReserve? Reserved { get; }

    /// <summary>Client connections accepted at once on the public listeners; null for no limit.</summary>
    public long? Limit { get; }

    /// <summary>The process's open-file limit it was sized from; null when unknown.</summary>
    public long? OpenFileLimit { get; }

    /// <summary>Why the limit is lower than asked for or too low to be useful, said once at start; null when neither.</summary>
    public string? Shortage { get; init; }

    /// <summary>Descriptors one client connection holds (two for a proxied one: the client's and the game server's).</summary>
    public int DescriptorsPerConnection { get; }

    /// <summary>Connections open now on the public listeners.</summary>
    public long OpenConnections => Volatile.Read(ref open);

    /// <summary>Of those, how many have been upgraded (WebSockets).</summary>
    public long UpgradedConnections => Volatile.Read(ref upgraded);

    /// <summary>
    /// The limit for this process, and a warning to log at start when it is lower than asked for or too low to be useful.
    /// The descriptors always cap it: what the open-file limit leaves after <see cref="Reserve"/> and the refusals in
    /// flight, at <paramref name="descriptorsPerConnection"/> each (a process that runs out of them fails at everything,
    /// and the runtime ends it when it cannot open a file of its own). <paramref name="configured"/> (named
    /// <paramref name="key"/>) sets a lower limit, 0 none below that cap; unset, the limit is the cap, further capped by
    /// memory. Never below <see cref="Floor"/>, so the service stays reachable; null (no limit) when nothing is known.
    /// </summary>
    public static (long? Limit, string? Warning) Resolve(
        long? configured, long? openFileLimit, int descriptorsPerConnection, long availableMemoryBytes, string key = "Limits:MaxConnections")
    {
        const int Kept = Reserve + AnsweringSlots;
        long? byFiles = openFileLimit is { } files ? Math.Max(Floor, Math.Max(0, files - Kept) / descriptorsPerConnection) : null;
        long? byMemory = availableMemoryBytes > 0 ? Math.Max(Floor, availableMemoryBytes / 2 / MemoryPerConnection) : null;
        var raise = $"raise it (ulimit -n, systemd LimitNOFILE, the container's nofile) to {Kept + (10_000L * descriptorsPerConnection)} for 10,000";
        if (configured is > 0 and var set)
        {
            return byFiles is { } most && set > most
                ? (most, $"{key}={set} is more connections than the open-file limit {openFileLimit} holds ({descriptorsPerConnection} descriptors each, " +
                    $"{Kept} kept for the process): the limit is {most}; {raise}.")
                : (set, null);
        }

        var limit = configured == 0 ? byFiles : Min(byFiles, byMemory);
        return limit < Useful && byFiles == limit
            ? (limit, $"The open-file limit {openFileLimit} leaves room for only {limit} connections ({descriptorsPerConnection} descriptors each, {Kept} kept " +
                $"for the process): {raise}.")
            : (limit, null);

        static long? Min(long? a, long? b) => a is { } x && b is { } y ? Math.Min(x, y) : a ?? b;
    }

    /// <summary>What to do with a connection the listener just accepted; <see cref="Admission.Serve"/> must be released once.</summary>
    internal Admission Admit(Lane lane)
    {
        switch (lane)
        {
            case Lane.Management:
                return Take(ref management, ManagementConnections) ? Admission.Serve : Refuse(Reason.Limit, answer: false);
            case Lane.Probe:
                return Take(ref probes, ProbeConnections) ? Admission.Serve : Admission.AnswerBusy;
        }

        if (Reserved is { Exhausted: true })
        {
            return Refuse(Reason.Descriptors, answer: false); // every descriptor is spoken for: this one goes back at once
        }

        var now = Interlocked.Increment(ref open);
        if (Limit is not { } limit || now <= limit)
        {
            return Admission.Serve;
        }

        Interlocked.Decrement(ref open);
        return Refuse(Reason.Limit, answer: true);
    }

    /// <summary>A served connection has ended.</summary>
    internal void Release(Lane lane, bool wasUpgraded)
    {
        switch (lane)
        {
            case Lane.Management:
                Interlocked.Decrement(ref management);
                return;
            case Lane.Probe:
                Interlocked.Decrement(ref probes);
                return;
        }

        if (wasUpgraded)
        {
            Interlocked.Decrement(ref upgraded);
        }

        Interlocked.Decrement(ref open);
    }

    private static bool Take(ref long count, int most)
    {
        if (Interlocked.Increment(ref count) <= most)
        {
            return true;
        }

        Interlocked.Decrement(ref count);
        return false;
    }

    /// <summary>A served connection was upgraded (it keeps its place in the budget).</summary>
    internal void Upgraded() => Interlocked.Increment(ref upgraded);

    /// <summary>An answered refusal is done.</summary>
    internal void Answered() => Interlocked.Decrement(ref answering);

    private Admission Refuse(Reason reason, bool answer)
    {
        if (answer && Interlocked.Increment(ref answering) <= AnsweringSlots)
        {
            Count(reason, answered: true);
            return Admission.AnswerBusy;
        }

        if (answer)
        {
            Interlocked.Decrement(ref answering);
        }

        Count(reason, answered: false);
        return Admission.Close;
    }

    private void Count(Reason reason, bool answered)
    {
        if (refused.Enabled)
        {
            refused.Add(1,
                new KeyValuePair<string, object?>("reason", reason == Reason.Limit ? "limit" : "descriptors"),
                new KeyValuePair<string, object?>("how", answered ? "answered" : "closed"));
        }
    }

    private IEnumerable<Measurement<long>> Open()
    {
        var all = Volatile.Read(ref open);
        var up = Volatile.Read(ref upgraded);
        yield return new Measurement<long>(Math.Max(0, all - up), new KeyValuePair<string, object?>("kind", "http"));
        yield return new Measurement<long>(up, new KeyValuePair<string, object?>("kind", "upgraded"));
        yield return new Measurement<long>(Volatile.Read(ref management), new KeyValuePair<string, object?>("kind", "management"));
    }

    public void Dispose() => meter.Dispose();

    private enum Reason
    {
        Limit,
        Descriptors,
    }
}

/// <summary>Which allowance a connection is counted in.</summary>
internal enum Lane
{
    /// <summary>Players and other clients on the public listeners.</summary>
    Public,

    /// <summary>The management listener.</summary>
    Management,

    /// <summary>A health probe that arrived past the public limit.</summary>
    Probe,
}

/// <summary>What the listener does with an accepted connection.</summary>
internal enum Admission
{
    /// <summary>Hand it to the server.</summary>
    Serve,

    /// <summary>Answer 503 with Retry-After and close it.</summary>
    AnswerBusy,

    /// <summary>Close it at once.</summary>
    Close,
}
