using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;

namespace RedWhite.Registry.Monitoring;

/// <summary>
/// Follows the store for the <see cref="RegistryMonitor"/>: wakes on a change notification (with the document it
/// carries, or none: re-read) or after a poll interval jittered by ±20%, so a fleet of readers never hits the store in
/// step, and hands each wake-up to the monitor. Keeps following whatever a reload throws.
/// </summary>
internal sealed class ChangeFollower(
    IRegistryStore store, TimeSpan pollInterval, TimeProvider time, Func<RegistryDocument?, CancellationToken, Task> reload,
    Func<long> heldRevision, ILogger logger)
{
    // The newest notification only: the document it carries, or null for "re-read".
    private readonly Channel<RegistryDocument?> wakeups = Channel.CreateBounded<RegistryDocument?>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly CancellationTokenSource stopping = new();
    private IDisposable? subscription;
    private Task? loop;

    /// <summary>Subscribes to the store's notifications and starts the loop.</summary>
    public void Start()
    {
        subscription = store.Watch(committed => wakeups.Writer.TryWrite(committed));
        loop = Task.Run(() => FollowAsync(stopping.Token), CancellationToken.None);
    }

    /// <summary>Stops the loop and waits for it (up to <paramref name="cancellationToken"/>).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        subscription?.Dispose();
        if (loop is not null)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Stops without waiting. The loop may outlive a stop that timed out, so its token source is cancelled rather than
    /// disposed: disposing it under a running loop throws there.
    /// </summary>
    public void Cancel()
    {
        subscription?.Dispose();
        stopping.Cancel();
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
            RegistryDocument? offered = null;
            using (var wait = new CancellationTokenSource(pollInterval * jitter, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, cancellationToken))
            {
                try
                {
                    offered = await wakeups.Reader.ReadAsync(linked.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // poll interval elapsed
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            try
            {
                await reload(offered, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.ReloadFailed(logger, heldRevision(), ex); // keep following; never let the loop die
            }
        }
    }
}
