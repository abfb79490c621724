extern alias admin;
extern alias gateway;

using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.Core.Registry;
using RedWhite.Registry.Convergence;
using RedWhite.Registry.Monitoring;
using RedWhite.TestKit;
using RedWhite.TestKit.Aws;
using RedWhite.TestKit.Upstreams;
using DrainController = admin::RedWhite.Admin.Draining.DrainController;

namespace RedWhite.Controllers.Tests.Draining;

/// <summary>
/// Admin and a Gateway on one fake clock (<see cref="FakeClockBed"/>), over one registry file, with real upstreams
/// behind the Gateway (on Kestrel) and the fake Auto Scaling Query API. Every step (5 s) the Gateway reports; every
/// 15 s the drain controller ticks, and makes a pass over the draining clusters every 30 s.
/// </summary>
internal sealed class DrainBed : FakeClockBed
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private DrainBed(TestRegistry registry, FakeAutoScaling aws, IEnumerable<TestUpstream> upstreams, KeyValuePair<string, string?>[] settings)
        : base(
            WholeMinutePlusTenSeconds(),
            settings,
            [settings],
            s => s.AddSingleton<AWSCredentials>(new BasicAWSCredentials(FakeAutoScaling.AccessKey, FakeAutoScaling.SecretKey)))
    {
        Aws = aws;
        Upstreams = [.. upstreams];
        Registry = registry;
    }

    public FakeAutoScaling Aws { get; }

    public IReadOnlyList<TestUpstream> Upstreams { get; }

    public TestRegistry Registry { get; }

    public Uri GatewayUrl => Gateway.BaseAddress!;

    public HttpClient Gateway => Gateways[0];

    public DrainController Controller => AdminService<DrainController>();

    public RegistryMonitor AdminRegistry => AdminService<RegistryMonitor>();

    public RegistryMonitor GatewayRegistry => GatewayService<RegistryMonitor>();

    /// <summary>Where game servers' heartbeats are kept (Discovery writes them; a direct cluster's test writes them as its servers would).</summary>
    public RedWhite.Registry.Configs.IConfigRolloutStore Heartbeats => AdminService<RedWhite.Registry.Configs.IConfigRolloutStore>();

    /// <summary>Where the instances report their revisions (a test adds one that lags).</summary>
    public IInstanceStore Instances => AdminService<IInstanceStore>();

    protected override int JobTicks => Controller.Ticks;

    protected override TimeSpan JobPeriod => Interval / 2;

    public static DrainBed Start(RegistryDocument document, FakeAutoScaling aws, IEnumerable<TestUpstream> upstreams, params (string Key, string? Value)[] extra)
    {
        var registry = new TestRegistry(document);
        return new(registry, aws, upstreams, Settings(registry, aws, extra));
    }

    /// <summary>One player's request through the Gateway; its status code.</summary>
    public async Task<int> PlayAsync(string player, string cluster, string build)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/game/state");
        request.Headers.Add("X-Route-Ticket", Ticket(player, cluster, build));
        using var response = await Gateway.SendAsync(request);
        return (int)response.StatusCode;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var upstream in Upstreams)
        {
            await upstream.DisposeAsync();
        }

        Registry.Dispose();
    }

    /// <summary>Whole minutes plus 10 s, so player buckets and the controller's ticks fall in a known order.</summary>
    private static DateTimeOffset WholeMinutePlusTenSeconds()
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 10, TimeSpan.Zero);
    }

    private static KeyValuePair<string, string?>[] Settings(TestRegistry registry, FakeAutoScaling aws, (string Key, string? Value)[] extra) =>
    [
        .. registry.Settings(),
        new("Draining:Interval", "00:00:30"),
        new("Draining:PlayersPerInstance", "10"),
        new("Draining:MinInstances", "2"),
        new("Draining:EmptyGrace", "00:05:00"),
        .. aws.Settings.Select(s => KeyValuePair.Create(s.Key, s.Value)),
        .. extra.Select(s => KeyValuePair.Create(s.Key, s.Value)), // a test's extra settings win
    ];
}
