using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Identity;
using RedWhite.TestKit.Processes;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Stack.Tests.Operations;

/// <summary>
/// One Gateway, Discovery and Admin, each its own process on the file registry, as an operator runs them: JSON logs
/// to a file per service, a management listener each, players who log in with a studio token (so a bearer token is
/// on the wire), fresh secret keys. Game servers: <c>white-a</c> (cluster <c>white-1.0</c>) and <c>red-a</c>
/// (<c>red-1.1</c>, canary at weight 100).
/// </summary>
public sealed class OperationsStack : IAsyncDisposable
{
    public const string White = "white-1.0";
    public const string Red = "red-1.1";
    public const string Issuer = "https://accounts.studio.test";
    public const string Audience = "red-white";

    private readonly List<TestUpstream> upstreams;
    private readonly TestRegistry registry;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private OperationsStack(List<TestUpstream> upstreams, TestRegistry registry)
    {
        this.upstreams = upstreams;
        this.registry = registry;
    }

    /// <summary>The secrets the services hold or clients send: none may ever reach a log.</summary>
    public string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string StudioKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string AdminKey { get; } = "ops-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public string ServerKey { get; } = "srv-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public ServiceProcess Gateway { get; private set; } = null!;

    public ServiceProcess Discovery { get; private set; } = null!;

    public ServiceProcess Admin { get; private set; } = null!;

    /// <summary>Management listener URL per service name (gateway, discovery, admin).</summary>
    public Dictionary<string, string> Management { get; } = [];

    public IReadOnlyDictionary<string, TestUpstream> Servers => upstreams.ToDictionary(u => u.Name);

    public string LogDirectory => registry.Directory;

    /// <summary>Starts the game servers and the three services; <paramref name="settings"/> go to every service, last.</summary>
    public static async Task<OperationsStack> StartAsync(IEnumerable<KeyValuePair<string, string>>? settings = null)
    {
        var upstreams = new List<TestUpstream> { await TestUpstream.StartAsync("white-a", White), await TestUpstream.StartAsync("red-a", Red) };
        var registry = new TestRegistry(new RegistryDocument
        {
            Revision = 1,
            Clusters =
            [
                TestRegistry.Cluster(White, "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = upstreams[0].Url }),
                TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Canary, 100, new Dictionary<string, string> { ["r1"] = upstreams[1].Url }),
            ],
            UpdatePolicy = TestRegistry.Demo().UpdatePolicy,
        });
        var stack = new OperationsStack(upstreams, registry);
        try
        {
            var extra = settings?.ToList() ?? [];
            stack.Gateway = await stack.StartServiceAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz", extra);
            stack.Discovery = await stack.StartServiceAsync("discovery", "src/Discovery", "RedWhite.Discovery", "/readyz", extra);
            stack.Admin = await stack.StartServiceAsync("admin", "src/Admin", "RedWhite.Admin", "/readyz", extra);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>A studio token for <paramref name="player"/>, as a game client's platform login would give it.</summary>
    public string TokenFor(string player) => TestTokens.MintSymmetric(StudioKey, "s1", Issuer, player, Audience);

    /// <summary>Logs <paramref name="player"/> in with its token and a <c>traceparent</c>; the answer.</summary>
    public async Task<JsonElement> LoginAsync(string player, string build, string? traceParent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Discovery.Url}/v1/discovery/login")
        {
            Content = JsonContent.Create(new { deviceId = "dev-" + player, platform = "ios", clientBuild = build }),
        };
        request.Headers.Authorization = new("Bearer", TokenFor(player));
        if (traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"login {player}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Every line of a service's log (stdout and stderr).</summary>
    public IReadOnlyList<string> LogLines(string name)
    {
        using var stream = new FileStream(Path.Combine(LogDirectory, name + ".log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private async Task<ServiceProcess> StartServiceAsync(
        string name, string project, string assembly, string readyPath, List<KeyValuePair<string, string>> extra)
    {
        Management[name] = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        string[] args =
        [
            "--Registry:Store=File", $"--Registry:File={registry.FilePath}",
            $"--Tickets:SigningKeys:ops={SigningKey}", "--Tickets:ActiveKeyId=ops",
            $"--Admin:ApiKeys:release:Key={AdminKey}", "--Admin:ApiKeys:release:Role=ReleaseManager",
            $"--Discovery:Identity:Issuer={Issuer}", $"--Discovery:Identity:Audience={Audience}", $"--Discovery:Identity:SigningKeys:s1={StudioKey}",
            $"--Discovery:ServerKeys:game-servers={ServerKey}",
            $"--Gateway:InstanceId={name}", $"--Draining:InstanceId={name}",
            $"--Management:Urls={Management[name]}",
            .. extra.Select(s => $"--{s.Key}={s.Value}"),
        ];
        var process = ServiceProcess.StartDotnet(
            name, Repository.Dll(project, assembly), LogDirectory, args,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Testing", ["DOTNET_gcServer"] = "0" });
        try
        {
            await process.WaitReadyAsync(readyPath, TimeSpan.FromSeconds(60));
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in new[] { Gateway, Discovery, Admin })
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }

        foreach (var upstream in upstreams)
        {
            await upstream.DisposeAsync();
        }

        http.Dispose();
        registry.Dispose();
    }
}
