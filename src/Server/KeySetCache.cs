namespace RedWhite.Server;

/// <summary>
/// Holds Discovery's published keys: fetched on first use, fetched again in the background once older than the
/// refresh interval (the held set serves meanwhile), and at once when a pass names a key not held, at most once per
/// minimum interval so a stream of passes with made-up <c>kid</c>s cannot turn into a stream of fetches. Concurrent
/// callers share one fetch. A failed fetch keeps the held set.
/// </summary>
internal sealed class KeySetCache(HttpClient http, Uri keySetUri, TimeProvider time, TimeSpan refreshInterval, TimeSpan minRefetchInterval)
{
    private readonly object gate = new();
    private KeySet current = KeySet.Empty;
    private bool loaded;
    private DateTimeOffset fetchedAt = DateTimeOffset.MinValue;
    private DateTimeOffset attemptedAt = DateTimeOffset.MinValue;
    private Task? fetching;

    /// <summary>Why the last fetch failed, or null after one succeeded.</summary>
    public string? LastError { get; private set; }

    /// <summary>How many fetches were started (for tests and the server's own diagnostics).</summary>
    public int Fetches { get; private set; }

    /// <summary>The key <paramref name="kid"/>, fetching the set again when it is not held and the last try is old enough.</summary>
    public async ValueTask<(VerifyingKey? Key, bool Loaded)> FindAsync(string kid, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        Task? wait = null;
        lock (gate)
        {
            if (current.TryGet(kid, out var held))
            {
                if (now - fetchedAt >= refreshInterval)
                {
                    _ = StartFetch(now); // refreshed in the background: the held key serves meanwhile
                }

                return (held, true);
            }

            if (fetching is not null || now - attemptedAt >= minRefetchInterval)
            {
                wait = fetching ?? StartFetch(now);
            }
        }

        if (wait is not null)
        {
#if NET
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
#else
            await Task.WhenAny(wait, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
#endif
        }

        lock (gate)
        {
            return current.TryGet(kid, out var key) ? (key, true) : (null, loaded);
        }
    }

    /// <summary>Starts a fetch unless one runs; called under the lock.</summary>
    private Task StartFetch(DateTimeOffset now)
    {
        if (fetching is not null)
        {
            return fetching;
        }

        attemptedAt = now;
        Fetches++;
        var task = FetchAsync();
        fetching = task;
        return task;
    }

    private async Task FetchAsync()
    {
        await Task.Yield(); // never run the fetch under the caller's lock
        KeySet? set = null;
        string? error = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await http.GetAsync(keySetUri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                error = $"{keySetUri} answered {(int)response.StatusCode}";
            }
            else if (await ReadBoundedAsync(response.Content, timeout.Token).ConfigureAwait(false) is not { } body)
            {
                error = $"{keySetUri} sent more than {KeySet.MaxBytes} bytes";
            }
            else
            {
                set = KeySet.Parse(body, out error);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            error = $"{keySetUri} could not be read: {ex.Message}";
        }

        lock (gate)
        {
            if (set is not null)
            {
                current = set;
                loaded = true;
                fetchedAt = time.GetUtcNow();
                LastError = null;
            }
            else
            {
                LastError = error;
            }

            fetching = null;
        }
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > KeySet.MaxBytes)
        {
            return null;
        }

#if NET
        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
#else
        using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
#endif
        var buffer = new byte[KeySet.MaxBytes + 1];
        var length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
            if (length > KeySet.MaxBytes)
            {
                return null;
            }
        }

        return buffer.AsMemory(0, length);
    }
}
