extern alias admin;
extern alias gateway;

using System.Net.Http.Json;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;
using RedWhite.TestKit.Aws;
using RedWhite.TestKit.Upstreams;
using AdminProgram = admin::Program;
using DrainController = admin::RedWhite.Admin.Draining.DrainController;
using GatewayProgram = gateway::Program;
using PlayerReporter = gateway::RedWhite.Gateway.Players.PlayerReporter;

namespace RedWhite.Draining.Tests;

/// <summary>
/// Admin and a Gateway in one process on one <see cref="FakeTimeProvider"/>, over one registry file, with
/// real upstreams behind the Gateway (on Kestrel) and the fake Auto Scaling Query API. Time moves only when
/// the test steps it, five seconds at a time: every step, the Gateway reports; every 15 s the controller ticks,
/// and makes a pass over the draining clusters every 30 s.
/// </summary>
internal sealed class DrainBed : IAsyncDisposable
{
    public const string ReleaseKey = "drain-test-release-key-0123456789-abcd";
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly ServiceFactory<AdminProgram> admin;
    private readonly ServiceFactory<GatewayProgram> gateway;
    private readonly TicketCodec tickets = new(TestKeys.Options(lifetime: TimeSpan.FromHours(2)));
    private readonly DateTimeOffset start;

    private DrainBed(RegistryDocument document, FakeAutoScaling aws, IEnumerable<TestUpstream> upstreams, (string Key, string? Value)[] extra)
    {
        Aws = aws;
        Upstreams = [.. upstreams];
        Registry = new TestRegistry(document);

        // Whole minutes plus 10 s, so player buckets and the controller's ticks fall in a known order.
        var now = DateTimeOffset.UtcNow;
        start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 10, TimeSpan.Zero);
        Clock = new FakeTimeProvider(start);
        IEnumerable<KeyValuePair<string, string?>> settings =
        [
            .. Registry.Settings(),
            .. TestKeys.Settings(),
            new("Serilog:MinimumLevel:Default", "Warning"),
            new("Admin:ApiKeys:release:Key", ReleaseKey),
            new("Admin:ApiKeys:release:Role", "ReleaseManager"),
            new("Gateway:Players:Window", "00:05:00"),
            new("Gateway:Players:ReportInterval", "00:00:05"),
            new("Gateway:InlineSocketCompletions", "false"),
            new("Draining:Interval", "00:00:30"),
            new("Draining:PlayersPerInstance", "10"),
            new("Draining:MinInstances", "2"),
            new("Draining:EmptyGrace", "00:05:00"),
            .. aws.Settings.Select(s => KeyValuePair.Create(s.Key, s.Value)),
            .. extra.Select(s => KeyValuePair.Create(s.Key, s.Value)),
        ];
        void Services(IServiceCollection s)
        {
            s.AddSingleton<TimeProvider>(Clock);
            s.AddSingleton<AWSCredentials>(new BasicAWSCredentials(FakeAutoScaling.AccessKey, FakeAutoScaling.SecretKey));
        }

        settings = [.. settings.GroupBy(s => s.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.Last())]; // a test's extra settings win
        admin = new ServiceFactory<AdminProgram>(settings, services: Services);
        gateway = new ServiceFactory<GatewayProgram>(settings, services: Services);
        GatewayUrl = gateway.StartOnKestrel();
        Gateway = new HttpClient { BaseAddress = GatewayUrl };
        Admin = admin.CreateClient();
        Admin.DefaultRequestHeaders.Add("X-Api-Key", ReleaseKey);
    }

    public FakeTimeProvider Clock { get; }

    public TimeSpan Elapsed => Clock.GetUtcNow() - start;

    public FakeAutoScaling Aws { get; }

    public IReadOnlyList<TestUpstream> Upstreams { get; }

    public TestRegistry Registry { get; }

    public Uri GatewayUrl { get; }

    public HttpClient Gateway { get; }

    public HttpClient Admin { get; }

    public DrainController Controller => admin.Services.GetRequiredService<DrainController>();

    public PlayerReporter Reporter => gateway.Services.GetRequiredService<PlayerReporter>();

    public RegistryMonitor AdminRegistry => admin.Services.GetRequiredService<RegistryMonitor>();

    public RegistryMonitor GatewayRegistry => gateway.Services.GetRequiredService<RegistryMonitor>();

    public static DrainBed Start(RegistryDocument document, FakeAutoScaling aws, IEnumerable<TestUpstream> upstreams, params (string Key, string? Value)[] extra) =>
        new(document, aws, upstreams, extra);

    /// <summary>A ticket to <paramref name="cluster"/> issued now on the fake clock.</summary>
    public string Ticket(string player, string cluster, string build) =>
        tickets.Issue(player, cluster, build, $"sha256-{cluster}", Clock.GetUtcNow()).Ticket;

    /// <summary>One player's request through the Gateway; its status code.</summary>
    public async Task<int> PlayAsync(string player, string cluster, string build)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/game/state");
        request.Headers.Add("X-Route-Ticket", Ticket(player, cluster, build));
        using var response = await Gateway.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>Moves the clock one step and waits for the Gateway's report and for the controller's ticks (every 15 s) due by then.</summary>
    public async Task StepAsync()
    {
        var reports = Reporter.Reports;
        Clock.Advance(Step);
        await Eventually.TrueAsync(() => Reporter.Reports > reports, "the Gateway's report");
        var dueTicks = Elapsed.Ticks / (Interval / 2).Ticks;
        await Eventually.TrueAsync(() => Controller.Ticks >= dueTicks, "the drain controller's tick");
    }

    /// <summary>Posts to Admin; throws unless it succeeds.</summary>
    public async Task PostAsync(string path, object? body)
    {
        using var response = await Admin.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        Gateway.Dispose();
        Admin.Dispose();
        await gateway.DisposeAsync();
        await admin.DisposeAsync();
        foreach (var upstream in Upstreams)
        {
            await upstream.DisposeAsync();
        }

        Registry.Dispose();
    }
}
