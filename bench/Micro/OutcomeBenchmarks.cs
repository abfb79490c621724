using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using RedWhite.Core.Players;
using RedWhite.Gateway.Players;

namespace RedWhite.Micro;

/// <summary>
/// What counting a request's outcome for rollouts adds to every gateway request: the player's minute looked up, its
/// count checked and the outcome added (counted), or only the lookup and check (past the player's share a minute).
/// </summary>
[MemoryDiagnoser]
public class OutcomeBenchmarks
{
    private const string Player = "p-0b9a7c4e-5d1f-4e8a-9c2b-7f3e1a6d8b50";
    private PlayerActivity counting = null!;
    private PlayerActivity capped = null!;

    [GlobalSetup]
    public void Setup()
    {
        counting = Activity(int.MaxValue);
        capped = Activity(1);
    }

    [Benchmark]
    public void Answered() => counting.Answered("white-1.0", Player, 200, false, 3.2);

    [Benchmark]
    public void AnsweredPastThePlayersShare() => capped.Answered("white-1.0", Player, 200, false, 3.2);

    [Benchmark]
    public RequestOutcomes Report() => counting.TakeReport()[0].Outcomes;

    private static PlayerActivity Activity(int evidencePerMinute)
    {
        var activity = new PlayerActivity(
            new PlayerWindow(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5)), TimeProvider.System,
            Options.Create(new PlayerOptions { EvidencePerMinute = evidencePerMinute }));
        activity.Seen("white-1.0", Player); // the player and its cluster's counters exist, as under traffic
        activity.Answered("white-1.0", Player, 200, false, 3.2);
        return activity;
    }
}
