using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Registry.Hosting;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests.Hosting;

/// <summary>A tick that throws something nobody foresaw is logged, and the job runs again: it never stops the host.</summary>
public sealed class PeriodicServiceTests
{
    [Fact]
    public async Task TickThatThrowsUnexpectedly_IsLogged_AndTheJobRunsAgainNextPeriod()
    {
        var clock = new FakeTimeProvider();
        var logger = new RecordingLogger<Flaky>();
        using var job = new Flaky(clock, logger);
        await job.StartAsync(CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(1)); // throws, as a closing Redis pipe did in a stack test
        await Eventually.TrueAsync(() => logger.Entries.Any(e => e.Id.Id == 1090), "the failed tick to be logged");
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => job.Ticks == 2, "the next tick to run");

        Assert.False(job.ExecuteTask!.IsFaulted);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains(nameof(Flaky), StringComparison.Ordinal));
        await job.StopAsync(CancellationToken.None);
    }

    private sealed class Flaky(TimeProvider time, ILogger<Flaky> logger) : PeriodicService(time, logger)
    {
        private int ticks;

        public int Ticks => Volatile.Read(ref ticks);

        protected override TimeSpan Period => TimeSpan.FromSeconds(1);

        protected override Task TickAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref ticks) == 1
                ? throw new InvalidOperationException("Writing is not allowed after writer was completed.")
                : Task.CompletedTask;
    }
}
