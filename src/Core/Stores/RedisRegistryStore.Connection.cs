using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedWhite.Core.Stores;

/// <summary>The connection side of the Redis store: connecting, reconnecting, change notifications, failure mapping.</summary>
internal sealed partial class RedisRegistryStore
{
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
                .WaitAsync(TimeSpan.FromMilliseconds(configuration.ConnectTimeout * 2.0), cancellationToken);
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
            throw new RegistryStoreUnavailableException($"Redis {endpoints} cannot be reached: {Brief(ex)}. Nothing changed.", ex);
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
            await multiplexer.GetSubscriber().SubscribeAsync(channel, OnMessage).WaitAsync(operationTimeout);
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

        // 2.x queues commands while disconnected and sends them on reconnect. A registry read or commit must
        // fail at once instead: callers answer 503 or fall back to what they hold, and a queued commit landing
        // later would surprise whoever was told it failed.
        options.BacklogPolicy = BacklogPolicy.FailFast;
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
