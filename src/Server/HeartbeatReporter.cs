using System.Text.Json;

namespace RedWhite.Server;

/// <summary>What a game server tells Discovery about itself, and how often.</summary>
public sealed class HeartbeatOptions
{
    /// <summary>Discovery's base address. Required.</summary>
    public Uri? DiscoveryUrl { get; set; }

    /// <summary>One of Discovery's <c>Discovery:ServerKeys</c>, sent as <c>X-Server-Key</c>. Required.</summary>
    public string ServerKey { get; set; } = "";

    /// <summary>This server's cluster id, as registered. Required.</summary>
    public string Cluster { get; set; } = "";

    /// <summary>This server's destination name in its cluster, as registered. Required.</summary>
    public string Destination { get; set; } = "";

    /// <summary>The server build's version (a cluster that verifies its servers sends players only to those naming its own).</summary>
    public string? ServerVersion { get; set; }

    /// <summary>An optional build id (a commit, a CI build number), shown to operators.</summary>
    public string? BuildId { get; set; }

    /// <summary>How often <see cref="HeartbeatReporter.RunAsync"/> reports (default 5 s; keep it well within Discovery's <c>Configs:HeartbeatTtl</c>).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The client reports are sent with; null: one of the reporter's own.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>The clock the loop waits on; null: the system's.</summary>
    public TimeProvider? TimeProvider { get; set; }
}

/// <summary>What Discovery answered a heartbeat: the config the cluster targets, announces and accepts.</summary>
public sealed class HeartbeatAnswer
{
    internal HeartbeatAnswer(string? target, string? announced, IReadOnlyList<string> accepted)
    {
        Target = target;
        Announced = announced;
        Accepted = accepted;
    }

    public string? Target { get; }

    public string? Announced { get; }

    public IReadOnlyList<string> Accepted { get; }
}

/// <summary>
/// Reports a game server to Discovery (<c>POST /v1/servers/heartbeat</c>): the config it holds, its server version, and
/// for a direct cluster the players it holds and can hold, by which logins choose it and its cluster drains and scales.
/// Set <see cref="Players"/>, <see cref="MaxPlayers"/> and <see cref="ConfigVersion"/> as they change; run
/// <see cref="RunAsync"/> for the life of the server.
/// </summary>
public sealed class HeartbeatReporter : IDisposable
{
    private readonly HeartbeatOptions options;
    private readonly HttpClient http;
    private readonly HttpClient? ownHttp;
    private readonly TimeProvider time;
    private int players;
    private int? maxPlayers;

    public HeartbeatReporter(HeartbeatOptions options)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (options.DiscoveryUrl is null || !options.DiscoveryUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("DiscoveryUrl must be Discovery's absolute address.", nameof(options));
        }

        if (string.IsNullOrEmpty(options.ServerKey) || !Names.IsName(options.Cluster) || !Names.IsName(options.Destination))
        {
            throw new ArgumentException("ServerKey, Cluster and Destination are required.", nameof(options));
        }

        if (options.Interval < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Interval, "Interval must be 100 ms or more.");
        }

        this.options = options;
        http = options.HttpClient ?? (ownHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(10) });
        time = options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>The config version this server holds (a content address), reported with every heartbeat. Required to report.</summary>
    public string? ConfigVersion { get; set; }

    /// <summary>Players this server holds now.</summary>
    public int Players
    {
        get => Volatile.Read(ref players);
        set => Volatile.Write(ref players, value < 0 ? 0 : value);
    }

    /// <summary>Players this server can hold; null: not said (the cluster's capacity applies).</summary>
    public int? MaxPlayers
    {
        get => maxPlayers;
        set => maxPlayers = value is < 1 ? 1 : value;
    }

    /// <summary>The last answer; null until one came.</summary>
    public HeartbeatAnswer? LastAnswer { get; private set; }

    /// <summary>Why the last report failed, or null after one succeeded.</summary>
    public string? LastError { get; private set; }

    /// <summary>Sends one heartbeat now. Throws <see cref="HttpRequestException"/> when Discovery refuses it or cannot be reached.</summary>
    public async Task<HeartbeatAnswer> ReportAsync(CancellationToken cancellationToken = default)
    {
        if (ConfigVersion is null)
        {
            throw new InvalidOperationException("Set ConfigVersion (the config this server holds) before reporting.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.DiscoveryUrl!, "/v1/servers/heartbeat"))
        {
            Content = new ByteArrayContent(Body()),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Server-Key", options.ServerKey);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
#if NET
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
#else
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
#endif
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Discovery refused the heartbeat: {(int)response.StatusCode} {Shorten(text)}");
        }

        LastAnswer = Parse(text);
        return LastAnswer;
    }

    /// <summary>Reports every <see cref="HeartbeatOptions.Interval"/> until cancelled; a failed report is kept in <see cref="LastError"/> and retried next time.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReportAsync(cancellationToken).ConfigureAwait(false);
                LastError = null;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                LastError = ex.Message;
            }

            try
            {
#if NET
                await Task.Delay(options.Interval, time, cancellationToken).ConfigureAwait(false);
#else
                await time.Delay(options.Interval, cancellationToken).ConfigureAwait(false);
#endif
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose() => ownHttp?.Dispose();

    private byte[] Body()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("cluster", options.Cluster);
            json.WriteString("destination", options.Destination);
            json.WriteString("configVersion", ConfigVersion);
            if (options.ServerVersion is not null)
            {
                json.WriteString("serverVersion", options.ServerVersion);
            }

            if (options.BuildId is not null)
            {
                json.WriteString("buildId", options.BuildId);
            }

            json.WriteNumber("players", Players);
            if (MaxPlayers is { } max)
            {
                json.WriteNumber("maxPlayers", max);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static HeartbeatAnswer Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var accepted = root.TryGetProperty("accepted", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
            : [];
        return new HeartbeatAnswer(Text("target"), Text("announced"), accepted);
    }

    private static string Shorten(string text) => text.Length > 300 ? text.Substring(0, 300) + "…" : text;
}
