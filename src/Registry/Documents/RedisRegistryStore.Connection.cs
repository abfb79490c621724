using RedWhite.Core.Registry;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.Documents;

/// <summary>The watching side of the Redis store: change notifications over pub/sub, and re-reads after a reconnect.</summary>
internal sealed partial class RedisRegistryStore
{
    /// <summary>Whether <paramref name="configuration"/> is a connection string the client accepts; if not, <paramref name="error"/> says why.</summary>
    public static bool IsValidConfiguration(string? configuration, out string? error) =>
        RedisConnection.IsValidConfiguration(configuration, out error);

    /// <inheritdoc />
    /// <remarks>Fires on every published change, with the committed document the message carries, and
    /// whenever a connection to Redis is restored (with null: messages published while disconnected are
    /// lost and the reader must re-read).</remarks>
    public IDisposable Watch(Action<RegistryDocument?> onChanged)
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
        lock (watchersLock)
        {
            disposed = true;
            watchers = [];
        }

        connection.Restored -= OnConnectionRestored;
        if (ownsConnection)
        {
            connection.Dispose();
        }
    }

    private Action<RegistryDocument?>[] Watchers => Volatile.Read(ref watchers);

    private async Task SubscribeAsync()
    {
        if (Interlocked.CompareExchange(ref subscription, Subscribing, NotSubscribed) != NotSubscribed)
        {
            return;
        }

        try
        {
            await connection.SubscribeAsync(channel, OnMessage);
            Volatile.Write(ref subscription, Subscribed);
            Notify(null); // a change may have landed before the subscription was in place
        }
        catch (Exception ex)
        {
            // Background work: never throw. The client resubscribes on reconnect; a failed first attempt is
            // retried when a connection is restored or the next read succeeds. Readers poll meanwhile.
            Volatile.Write(ref subscription, NotSubscribed);
            if (!disposed)
            {
                Log.RedisSubscribeFailed(logger, connection.Endpoints, ex.Message);
            }
        }
    }

    // A commit publishes the document it made current; a seed (and a writer of an older version of this
    // product) publishes only the revision number, which does not parse as a document: re-read then.
    private void OnMessage(RedisChannel from, RedisValue message)
    {
        var bytes = (byte[]?)message;
        Notify(bytes is [(byte)'{', ..] ? RegistryJson.TryParse(bytes, out _) : null);
    }

    private void OnConnectionRestored()
    {
        if (Volatile.Read(ref subscription) == NotSubscribed && Watchers.Length > 0)
        {
            _ = SubscribeAsync();
        }

        Notify(null); // whatever was published while we were away is lost: every reader re-reads
    }

    private void Notify(RegistryDocument? committed)
    {
        foreach (var watcher in Watchers)
        {
            try
            {
                watcher(committed);
            }
            catch (Exception ex)
            {
                Log.WatcherFailed(logger, ex); // one faulty watcher must not starve the others
            }
        }
    }

    private void Unwatch(Action<RegistryDocument?> onChanged)
    {
        lock (watchersLock)
        {
            watchers = [.. watchers.Where(w => !ReferenceEquals(w, onChanged))];
        }
    }

    private sealed class Watcher(RedisRegistryStore store, Action<RegistryDocument?> onChanged) : IDisposable
    {
        public void Dispose() => store.Unwatch(onChanged);
    }
}
