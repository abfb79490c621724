using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RedWhite.ServiceDefaults;

/// <summary>Section <c>Shutdown</c>: how a service leaves a load balancer's rotation on SIGTERM.</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>
    /// How long the service keeps serving after SIGTERM while <c>/readyz</c> answers 503, so a load balancer takes
    /// it out before it stops accepting (<c>Shutdown:Delay</c>, default 5 s; match a Kubernetes <c>preStop</c>).
    /// </summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long in-flight requests may then take to finish (<c>Shutdown:Timeout</c>, default 30 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Whether this service is on its way out: readiness answers 503 from the first moment of a shutdown.</summary>
public sealed class ShutdownState
{
    private volatile bool stopping;

    /// <summary>True from the moment the host starts stopping.</summary>
    public bool Stopping => stopping;

    internal void Begin() => stopping = true;
}

/// <summary>
/// On SIGTERM (or any host stop), first marks the service not ready and keeps serving for <c>Shutdown:Delay</c>;
/// only then does the host stop the server, which stops accepting and lets in-flight requests finish within
/// <c>Shutdown:Timeout</c>. Runs before every other service's stop (a lifecycle "stopping" step).
/// </summary>
internal sealed class GracefulShutdown(ShutdownState state, IOptions<ShutdownOptions> options, TimeProvider time, ILogger<GracefulShutdown> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.Begin();
        var delay = options.Value.Delay;
        Log.ShutdownDelay(logger, delay);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // the host's shutdown timeout ran out: stop now
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
