using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>
/// Descriptors held back for the moment the process runs out anyway (another process on the host took them, the
/// limit was lowered under it, something leaked): the runtime opens files of its own at unforeseen moments (a new
/// thread reads <c>/proc/self/status</c>) and, when it cannot, ends the process with "Out of memory." So on the first
/// sign of exhaustion these are given back and new connections are refused (closed at accept) until the process is
/// comfortably under its open-file limit again; then they are taken back. Checked once a second while exhausted.
/// </summary>
public sealed class DescriptorReserve : IDisposable
{
    /// <summary>Descriptors held back.</summary>
    public const int Size = 32;

    private readonly Lock gate = new();
    private readonly List<SafeFileHandle> held = [];
    private readonly ITimer timer;
    private readonly ILogger logger;
    private volatile bool exhausted;

    public DescriptorReserve(TimeProvider time, ILogger<DescriptorReserve> logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        this.logger = logger;
        Take();
        timer = time.CreateTimer(_ => Recover(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether the process ran out of descriptors and has not yet recovered: new connections are refused.</summary>
    public bool Exhausted => exhausted;

    /// <summary>Descriptors held back now.</summary>
    public int Held
    {
        get
        {
            lock (gate)
            {
                return held.Count;
            }
        }
    }

    /// <summary>The process ran out: give the reserve back and refuse new connections until it recovers. Safe to call often.</summary>
    public void Exhaust()
    {
        lock (gate)
        {
            if (exhausted)
            {
                return;
            }

            exhausted = true;
            foreach (var handle in held)
            {
                handle.Dispose();
            }

            held.Clear();
        }

        Log.DescriptorsExhausted(logger, ProcessDescriptors.OpenFileLimit() ?? -1, ProcessDescriptors.Open());
        timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Ends the exhausted state once open descriptors leave room for the reserve twice over under the current limit.</summary>
    internal void Recover()
    {
        if (!exhausted || ProcessDescriptors.OpenFileLimit() is not { } limit || ProcessDescriptors.Open() is var open && (open < 0 || open + (3 * Size) > limit))
        {
            return;
        }

        lock (gate)
        {
            Take();
            exhausted = held.Count < Size;
        }

        if (!exhausted)
        {
            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Log.DescriptorsBack(logger, ProcessDescriptors.Open());
        }
    }

    private void Take()
    {
        while (held.Count < Size)
        {
            try
            {
                held.Add(File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                return; // out of descriptors already, or no /dev/null: what could be taken is held
            }
        }
    }

    public void Dispose()
    {
        timer.Dispose();
        lock (gate)
        {
            held.ForEach(h => h.Dispose());
            held.Clear();
        }
    }
}
