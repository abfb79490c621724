using Microsoft.Extensions.DependencyInjection;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Gateway.Tests;

/// <summary>
/// What most Gateway tests stand up: real upstreams on loopback for the demo's colors (<c>w…</c> serve
/// <c>white-1.0</c>, <c>r…</c> <c>red-1.1</c>, <c>a…</c> <c>amber-0.9</c>), a registry file naming them, and a Gateway on
/// it. The registry is the demo's with those destinations unless a test gives its own document.
/// </summary>
internal sealed class GatewayBed : IAsyncDisposable
{
    private readonly Dictionary<string, TestUpstream> upstreams = new(StringComparer.Ordinal);

    private GatewayBed()
    {
    }

    /// <summary>The registry file the Gateway follows.</summary>
    public TestRegistry Registry { get; private set; } = null!;

    /// <summary>The Gateway.</summary>
    public GatewayHost Gateway { get; private set; } = null!;

    /// <summary>The upstream named <paramref name="name"/>.</summary>
    public TestUpstream this[string name] => upstreams[name];

    /// <summary>Every upstream, in the order named.</summary>
    public IReadOnlyList<TestUpstream> Upstreams => [.. upstreams.Values];

    /// <summary>
    /// Starts the upstreams <paramref name="names"/>, then the registry (<paramref name="document"/> of this bed, or the
    /// demo's: white active with the <c>w…</c> upstreams, red canary at 10% with the <c>r…</c> ones), then the Gateway with
    /// <paramref name="services"/> and <paramref name="settings"/>.
    /// </summary>
    public static async Task<GatewayBed> StartAsync(
        string[] names, Func<GatewayBed, RegistryDocument>? document = null, Action<IServiceCollection>? services = null,
        params (string Key, string? Value)[] settings)
    {
        var bed = new GatewayBed();
        try
        {
            foreach (var name in names)
            {
                bed.upstreams[name] = await TestUpstream.StartAsync(name, ColorOf(name));
            }

            bed.Registry = new TestRegistry(document?.Invoke(bed) ?? TestRegistry.Demo(white: bed.Destinations('w'), red: bed.Destinations('r')));
            bed.Gateway = GatewayHost.Start(bed.Registry, services, settings);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>A registry of one cluster, white active at 100% on every <c>w…</c> upstream.</summary>
    public static RegistryDocument WhiteOnly(GatewayBed bed) => TestRegistry.Demo() with
    {
        Clusters = [TestRegistry.Cluster(DemoGateway.White, "[1.0.0,1.1.0)", ClusterState.Active, 100, bed.Destinations('w'))],
    };

    /// <summary>Destinations for a registry document: each named upstream's name and URL.</summary>
    public Dictionary<string, string> Destinations(params string[] names) => names.ToDictionary(n => n, n => upstreams[n].Url);

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        foreach (var upstream in upstreams.Values)
        {
            await upstream.DisposeAsync();
        }

        Registry?.Dispose();
    }

    private Dictionary<string, string>? Destinations(char color)
    {
        var names = upstreams.Keys.Where(n => n[0] == color).ToArray();
        return names.Length == 0 ? null : Destinations(names);
    }

    private static string ColorOf(string name) => name[0] switch
    {
        'w' => DemoGateway.White,
        'r' => DemoGateway.Red,
        'a' => DemoGateway.Amber,
        _ => throw new ArgumentException($"Upstream names start with w, r or a (a color of the demo): '{name}'.", nameof(name)),
    };
}
