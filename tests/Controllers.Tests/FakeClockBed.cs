extern alias admin;
extern alias gateway;

using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;
using AdminProgram = admin::Program;
using GatewayProgram = gateway::Program;
using PlayerReporter = gateway::RedWhite.Gateway.Players.PlayerReporter;

namespace RedWhite.Controllers.Tests;

/// <summary>
/// Admin and one or more Gateways in this process on one <see cref="FakeTimeProvider"/>, each Gateway on Kestrel (real
/// sockets, so players' requests really go through it), Admin through the test server. Time moves only when a test
/// steps it, <see cref="Step"/> at a time; each step waits for every Gateway's player report and for the Admin job the
/// bed drives. The beds of the drain and rollout scenarios build on it.
/// </summary>
internal abstract class FakeClockBed : IAsyncDisposable
{
    public const string ReleaseKey = "fake-clock-release-key-0123456789-abcd";
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    private readonly ServiceFactory<AdminProgram> admin;
    private readonly List<ServiceFactory<GatewayProgram>> gateways = [];
    private readonly List<HttpClient> gatewayClients = [];
    private readonly TicketCodec tickets = new(TestKeys.Options(lifetime: TimeSpan.FromHours(2)));
    private readonly DateTimeOffset start;

    /// <param name="start">The fake clock's first reading.</param>
    /// <param name="adminSettings">Admin's settings (the registry's among them); they win over the bed's defaults.</param>
    /// <param name="gatewaySettings">Each Gateway's settings, one list per Gateway.</param>
    /// <param name="services">More services for every host (credentials, say).</param>
    protected FakeClockBed(
        DateTimeOffset start,
        IEnumerable<KeyValuePair<string, string?>> adminSettings,
        IEnumerable<IEnumerable<KeyValuePair<string, string?>>> gatewaySettings,
        Action<IServiceCollection>? services = null)
    {
        this.start = start;
        Clock = new FakeTimeProvider(start);
        void Services(IServiceCollection s)
        {
            s.AddSingleton<TimeProvider>(Clock);
            services?.Invoke(s);
        }

        admin = new ServiceFactory<AdminProgram>(WithDefaults(adminSettings), services: Services);
        Admin = admin.CreateClient();
        Admin.DefaultRequestHeaders.Add("X-Api-Key", ReleaseKey);
        foreach (var settings in gatewaySettings)
        {
            var factory = new ServiceFactory<GatewayProgram>(WithDefaults(settings), services: Services);
            gateways.Add(factory);
            gatewayClients.Add(new HttpClient { BaseAddress = factory.StartOnKestrel() });
        }
    }

    public FakeTimeProvider Clock { get; }

    public TimeSpan Elapsed => Clock.GetUtcNow() - start;

    /// <summary>Admin's API, with a release manager's key.</summary>
    public HttpClient Admin { get; }

    /// <summary>A client of each Gateway, in order.</summary>
    public IReadOnlyList<HttpClient> Gateways => gatewayClients;

    /// <summary>Ticks the Admin job this bed drives has completed.</summary>
    protected abstract int JobTicks { get; }

    /// <summary>How often that job ticks.</summary>
    protected abstract TimeSpan JobPeriod { get; }

    /// <summary>A ticket to <paramref name="cluster"/> issued now on the fake clock.</summary>
    public string Ticket(string player, string cluster, string build) =>
        tickets.Issue(player, cluster, build, $"sha256-{cluster}", Clock.GetUtcNow()).Ticket;

    /// <summary>Moves the clock one step; waits for every Gateway's report and for the job's ticks due by then.</summary>
    public async Task StepAsync()
    {
        var reporters = gateways.Select(g => g.Services.GetRequiredService<PlayerReporter>()).ToList();
        var reports = reporters.Select(r => r.Reports).ToList();
        Clock.Advance(Step);
        for (var i = 0; i < reporters.Count; i++)
        {
            var (reporter, before) = (reporters[i], reports[i]);
            await Eventually.TrueAsync(() => reporter.Reports > before, $"gateway {i + 1}'s report");
        }

        var due = Elapsed.Ticks / JobPeriod.Ticks;
        await Eventually.TrueAsync(() => JobTicks >= due, "the Admin job's tick");
    }

    /// <summary>What Admin's meters record from now on.</summary>
    public Meters AdminMeters() => new(AdminService<System.Diagnostics.Metrics.IMeterFactory>());

    /// <summary>Posts to Admin (a JSON body, or none); throws unless it succeeds.</summary>
    public async Task PostAsync(string path, object? body = null)
    {
        using var response = body is null ? await Admin.PostAsync(path, null) : await Admin.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var client in gatewayClients)
        {
            client.Dispose();
        }

        Admin.Dispose();
        foreach (var gateway in gateways)
        {
            await gateway.DisposeAsync();
        }

        await admin.DisposeAsync();
    }

    /// <summary>A service of Admin's host.</summary>
    protected T AdminService<T>()
        where T : notnull => admin.Services.GetRequiredService<T>();

    /// <summary>A service of Gateway <paramref name="index"/>'s host.</summary>
    protected T GatewayService<T>(int index = 0)
        where T : notnull => gateways[index].Services.GetRequiredService<T>();

    /// <summary>Waits until Admin and every Gateway answer ready.</summary>
    protected async Task ReadyAsync()
    {
        await Eventually.TrueAsync(async () => (await Admin.GetAsync("/readyz")).IsSuccessStatusCode, "Admin ready", TimeSpan.FromSeconds(30));
        foreach (var gateway in gatewayClients)
        {
            await Eventually.TrueAsync(async () => (await gateway.GetAsync("/_rw/readyz")).IsSuccessStatusCode, "Gateway ready", TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>The bed's defaults, then <paramref name="settings"/>; a key given twice takes its last value.</summary>
    private static KeyValuePair<string, string?>[] WithDefaults(IEnumerable<KeyValuePair<string, string?>> settings) =>
    [
        .. new KeyValuePair<string, string?>[]
        {
            new("Serilog:MinimumLevel:Default", "Warning"),
            new("Admin:ApiKeys:release:Key", ReleaseKey),
            new("Admin:ApiKeys:release:Role", "ReleaseManager"),
            new("Gateway:Players:Window", "00:05:00"),
            new("Gateway:Players:ReportInterval", "00:00:05"),
            new("Gateway:InlineSocketCompletions", "false"),
        }
        .Concat(TestKeys.Settings())
        .Concat(settings)
        .GroupBy(s => s.Key, StringComparer.OrdinalIgnoreCase)
        .Select(g => g.Last()),
    ];
}
