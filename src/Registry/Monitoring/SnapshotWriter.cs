using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RedWhite.Core.Registry;
using RedWhite.Registry.Files;

namespace RedWhite.Registry.Monitoring;

/// <summary>
/// Writes the last-known-good snapshot off the reload path, newest first: a slow disk (the write is flushed to it)
/// must never delay a revision reaching routing, and only the newest revision is worth writing.
/// </summary>
internal sealed class SnapshotWriter(string? path, ILogger logger)
{
    private readonly Channel<RegistryDocument> pending = Channel.CreateBounded<RegistryDocument>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private Task? writer;

    /// <summary>Starts writing (once); nothing is written without a path.</summary>
    public void Start() => writer ??= Task.Run(WriteAsync, CancellationToken.None);

    /// <summary>Queues <paramref name="document"/>, replacing any revision not written yet.</summary>
    public void Offer(RegistryDocument document)
    {
        if (path is { Length: > 0 })
        {
            pending.Writer.TryWrite(document);
        }
    }

    /// <summary>Writes what is queued, then stops: the newest revision reaches the snapshot before the service exits.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        pending.Writer.TryComplete();
        if (writer is not null)
        {
            await writer.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Stops taking revisions (disposal).</summary>
    public void Complete() => pending.Writer.TryComplete();

    private async Task WriteAsync()
    {
        await foreach (var document in pending.Reader.ReadAllAsync())
        {
            try
            {
                await AtomicFile.WriteAsync(path!, RegistryJson.Serialize(document), CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.SnapshotWriteFailed(logger, path!, ex.Message);
            }
        }
    }
}
