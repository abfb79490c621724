using StackExchange.Redis;

namespace RedWhite.Core.Stores;

/// <summary>The watching side of the Redis store: change notifications over pub/sub, and re-reads after a reconnect.</summary>
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

    private Action[] Watchers => Volatile.Read(ref watchers);

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
            Notify(); // a change may have landed before the subscription was in place
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

    private void OnMessage(RedisChannel from, RedisValue revision) => Notify();

    private void OnConnectionRestored()
    {
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

    private sealed class Watcher(RedisRegistryStore store, Action onChanged) : IDisposable
    {
        public void Dispose() => store.Unwatch(onChanged);
    }
}
