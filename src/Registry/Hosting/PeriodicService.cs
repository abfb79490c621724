using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RedWhite.Registry.Hosting;

/// <summary>
/// A background job that runs once per <see cref="Period"/> on the host's <see cref="TimeProvider"/> (so tests
/// drive it with a fake clock), until the host stops. Each job catches what it expects and logs it; anything else a
/// tick throws (a client library failing in a way nobody foresaw) is logged here and the job runs again next period:
/// a background job never stops the host, so a service that loses its store keeps serving.
/// </summary>
public abstract class PeriodicService(TimeProvider time, ILogger? logger = null) : BackgroundService
{
    private readonly ILogger log = logger ?? NullLogger.Instance;

    /// <summary>The clock the job runs on.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>Time between ticks.</summary>
    protected abstract TimeSpan Period { get; }

    /// <summary>Whether the job runs at all; checked once at start.</summary>
    protected virtual bool Enabled => true;

    /// <summary>One round of the job.</summary>
    protected abstract Task TickAsync(CancellationToken cancellationToken);

    /// <summary>Called once at start when <see cref="Enabled"/> is false.</summary>
    protected virtual void OnDisabled()
    {
    }

    private PeriodicTimer? timer;

    /// <summary>
    /// Starts the clock when the host starts, not when <see cref="ExecuteAsync"/> gets a thread (since .NET 10 that
    /// happens later, on the pool): the first tick is then one period after start, whatever the scheduling, and a
    /// test stepping a fake clock right after start is never ahead of the timer.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            timer ??= new PeriodicTimer(Period, Time);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        timer?.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled || timer is null)
        {
            OnDisabled();
            return;
        }

        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TickAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.PeriodicJobFailed(log, GetType().Name, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}
