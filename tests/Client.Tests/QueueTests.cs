using RedWhite.Core.Registry;

namespace RedWhite.Client.Tests;

/// <summary>A session whose cluster is full waits in its queue by itself, tells the game where it stands, and plays once admitted.</summary>
public sealed class QueueTests
{
    [Fact]
    public async Task FullCluster_SessionWaitsInLine_ReportsItsPlace_AndIsAdmittedOnceASeatFrees()
    {
        await using var bed = await PlayBed.StartAsync(("Admission:MinRetryAfterSeconds", "1"), ("Admission:MaxRetryAfterSeconds", "1"));
        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Active) with { Capacity = new ClusterCapacity { PlayersPerDestination = 1 } });
        using var first = new RedWhiteSession(bed.Options("device-1"));
        Assert.Equal(LoginDecision.Ok, (await first.LoginAsync()).Decision);

        var told = new List<QueueStatus>();
        var options = bed.Options("device-2");
        options.QueueProgress = new SyncProgress(told);
        using var second = new RedWhiteSession(options);
        var queuedAnswers = 0;
        second.LoggedIn += (_, login) => Interlocked.Add(ref queuedAnswers, login.Decision == LoginDecision.Queued ? 1 : 0);
        var login = second.LoginAsync();

        await TestKit.Eventually.TrueAsync(() => Volatile.Read(ref queuedAnswers) >= 2, "the second session to be queued and poll again");
        Assert.False(login.IsCompleted);
        lock (told)
        {
            Assert.All(told, t => Assert.Equal(1, t.Position)); // the token keeps its place: never sent to the back
        }

        // A second seat: the waiting session gets in by itself, with a ticket, on its next poll.
        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Active) with { Capacity = new ClusterCapacity { PlayersPerDestination = 2 } });
        var admitted = await login.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(LoginDecision.Ok, admitted.Decision);
        Assert.NotNull(admitted.Ticket);

        // Renewing with the ticket it holds keeps its seat, full as the cluster is again.
        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Active) with { Capacity = new ClusterCapacity { PlayersPerDestination = 1 } });
        Assert.Equal(LoginDecision.Ok, (await second.LoginAsync()).Decision);
    }

    private sealed class SyncProgress(List<QueueStatus> told) : IProgress<QueueStatus>
    {
        public void Report(QueueStatus value)
        {
            lock (told)
            {
                told.Add(value);
            }
        }
    }
}
