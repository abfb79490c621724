using RedWhite.TestKit.Chaos;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Chaos;

/// <summary>
/// The CI-sized chaos run (<c>bench/run chaos</c> is the full one): 200 players through a whole push on the production
/// shape (HAProxy, two of every service, Redis with a replica and three Sentinels) while a Gateway, the Redis primary
/// and the Admin holding the controllers' leases are killed, a game server fails and a Gateway's link to Redis slows.
/// </summary>
public sealed class ChaosPushTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WholePush_WhileComponentsFail_LosesNoAcknowledgedChange_MisroutesNobody_AndEndsWithEveryPlayerOnRed()
    {
        var folder = Path.Combine(Path.GetTempPath(), "rw-chaos", Guid.NewGuid().ToString("N"));
        var options = new ChaosOptions { Players = 200, OutputDirectory = folder, FaultLength = TimeSpan.FromSeconds(6) };
        await using var stack = await ProductionStack.StartAsync(options.ServiceSettings, output.WriteLine);
        var result = await ChaosRun.RunAsync(stack, options, output.WriteLine);
        output.WriteLine(File.ReadAllText(Path.Combine(folder, "summary.json")));

        Assert.Equal(0, result.WrongCluster);
        Assert.Empty(result.MissingRevisions);
        Assert.True(result.Acknowledged >= 4, $"{result.Acknowledged} acknowledged changes (register, start, drain, retire)");
        Assert.True(result.EveryoneOnRed, "not every player ended on red");
        Assert.True(result.Failures == 0, "failures no retry recovered: " + string.Join(" | ", result.FailureSamples));
        Assert.Equal(result.Retried.Keys.Order(), result.Recovered.Keys.Order()); // every cause that failed a request was recovered from
        Assert.All(result.Retried.Keys, cause => Assert.Contains(cause, ChaosResult.ExpectedCauses));
        // Every lease the killed Admin held is with the survivor within two of its intervals (Draining:Interval 3 s, Rollouts:Interval 2 s).
        Assert.Contains("rollout-controller", result.LeaseTakeoverSeconds.Keys);
        Assert.All(result.LeaseTakeoverSeconds, lease => Assert.True(
            lease.Value <= 2 * (lease.Key == "drain-controller" ? 3 : 2), $"{lease.Key} moved after {lease.Value} s"));
        Assert.Equal(0, result.CapacityShortSeconds);
        Assert.Empty(result.SilentInstances);
        Assert.Equal(0, result.SimulatorExit);
        // The same push without the faults took 68 s here (ChaosOptions { Faults = false }, 200 players); the faults may
        // cost it two minutes at most. (bench/run chaos runs both and compares them at full size.)
        Assert.True(result.PushSeconds <= 68 + 120, $"the push took {result.PushSeconds} s with faults");
        Directory.Delete(folder, recursive: true);
    }
}
