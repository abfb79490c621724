using BenchmarkDotNet.Attributes;
using RedWhite.Core.Players;
using RedWhite.Gateway.Players;

namespace RedWhite.Micro;

/// <summary>What counting a request's outcome for rollouts adds to every gateway request.</summary>
[MemoryDiagnoser]
public class OutcomeBenchmarks
{
    private PlayerActivity activity = null!;

    [GlobalSetup]
    public void Setup()
    {
        activity = new PlayerActivity(new PlayerWindow(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5)), TimeProvider.System);
        activity.Answered("white-1.0", 200, false, 3.2); // the cluster's counters exist, as under traffic
    }

    [Benchmark]
    public void Answered() => activity.Answered("white-1.0", 200, false, 3.2);

    [Benchmark]
    public RequestOutcomes Report() => activity.TakeReport()[0].Outcomes;
}
