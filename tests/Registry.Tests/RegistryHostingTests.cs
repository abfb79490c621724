using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Files;
using RedWhite.ServiceDefaults;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests;

/// <summary><c>Registry:Store=Redis</c> as a service configures it through <c>AddRegistry</c>.</summary>
public sealed class RegistryHostingTests
{
    [Fact]
    public void AddRegistry_RedisWithoutSnapshotPath_GivesEachServiceAndAddressItsOwnDefaultSnapshot()
    {
        var gatewayA = Options("Gateway", ("Registry:Redis", "127.0.0.1:6390"), ("urls", "http://127.0.0.1:5001"));
        var gatewayB = Options("Gateway", ("Registry:Redis", "127.0.0.1:6390"), ("urls", "http://127.0.0.1:5002"));
        var discovery = Options("Discovery", ("Registry:Redis", "127.0.0.1:6390"), ("urls", "http://127.0.0.1:5001"));

        Assert.EndsWith(".registry.json", gatewayA.SnapshotPath, StringComparison.Ordinal);
        Assert.StartsWith("gateway-", Path.GetFileName(gatewayA.SnapshotPath), StringComparison.Ordinal);
        Assert.True(Path.IsPathRooted(gatewayA.SnapshotPath));
        Assert.Equal(3, new[] { gatewayA.SnapshotPath, gatewayB.SnapshotPath, discovery.SnapshotPath }.Distinct().Count());
        Assert.False(gatewayA.SeedEmptyStore);
    }

    [Fact]
    public void AddRegistry_ConfiguredSnapshotPath_IsKept()
    {
        var options = Options("Gateway", ("Registry:Redis", "127.0.0.1:6390"), ("Registry:SnapshotPath", "/var/lib/rw/gw.json"));

        Assert.Equal("/var/lib/rw/gw.json", options.SnapshotPath);
    }

    [Fact]
    public void AddRegistry_RedisWithoutConnectionString_FailsNamingTheKey()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Options("Gateway"));

        Assert.Contains("Registry:Redis", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:6390,notAnOption=1")]
    [InlineData(",")]
    public void AddRegistry_UnusableRedisConnectionString_FailsNamingTheKey(string connectionString)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Options("Gateway", ("Registry:Redis", connectionString)));

        Assert.Contains("Registry:Redis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRegistrySeeding_MakesTheMonitorSeedAndTheStoreIsRedis()
    {
        using var host = Build("Admin", seeding: true, ("Registry:Redis", "127.0.0.1:6390"), ("Registry:RedisKeyPrefix", "blue:"));

        Assert.True(host.Services.GetRequiredService<IOptions<RegistryOptions>>().Value.SeedEmptyStore);
        var store = Assert.IsType<RedisRegistryStore>(host.Services.GetRequiredService<IRegistryStore>());
        Assert.Equal("blue:", store.KeyPrefix);
    }

    [Fact]
    public async Task Readyz_ServiceStartedWhileRedisIsDown_IsReadyFromItsSnapshotAndSaysSo()
    {
        await using var redis = await RedisServer.StartAsync();
        using var folder = new TestRegistry();
        var snapshot = Path.Combine(folder.Directory, "gateway.snapshot.json");
        await AtomicFile.WriteAsync(snapshot, RegistryJson.Serialize(TestRegistry.Demo() with { Revision = 6 }), CancellationToken.None);
        await redis.StopAsync();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(redis.Settings(snapshot));
        builder.AddServiceDefaults();
        builder.AddRegistry();
        await using var app = builder.Build();
        app.MapHealthEndpoints();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        await app.StopAsync();

        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.Equal(6, body.GetProperty("revision").GetInt64());
        Assert.Equal("snapshot", body.GetProperty("source").GetString());
        Assert.False(body.GetProperty("storeReachable").GetBoolean());
        Assert.Contains("unreachable", body.GetProperty("alarm").GetString(), StringComparison.Ordinal);
    }

    private static RegistryOptions Options(string application, params (string Key, string Value)[] settings)
    {
        using var host = Build(application, seeding: false, settings);
        return host.Services.GetRequiredService<IOptions<RegistryOptions>>().Value;
    }

    private static IHost Build(string application, bool seeding, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = application, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection([new("Registry:Store", "Redis"), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]);
        builder.AddRegistry();
        if (seeding)
        {
            builder.AddRegistrySeeding();
        }

        return builder.Build();
    }
}
