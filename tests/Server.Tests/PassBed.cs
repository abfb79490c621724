using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Discovery.Passes;
using RedWhite.TestKit;

namespace RedWhite.Server.Tests;

/// <summary>
/// A Discovery (in-process) that signs passes and publishes its keys, on a fake clock shared with the verifiers made
/// here. Its settings can be swapped for others (a key rotation is a redeploy with new settings) without the
/// verifiers noticing anything but what Discovery now publishes.
/// </summary>
internal sealed class PassBed : IDisposable
{
    private readonly TestRegistry registry = new(TestRegistry.Demo(
        white: new Dictionary<string, string> { ["w1"] = "http://127.0.0.1:9/" }, red: new Dictionary<string, string> { ["r1"] = "http://127.0.0.1:9/", ["r2"] = "http://127.0.0.1:9/" }));
    private ServiceFactory<Program> discovery;
    private readonly ForwardingHandler forward = new();

    public PassBed(IEnumerable<KeyValuePair<string, string?>> passSettings)
    {
        discovery = Start(passSettings);
        Keys = new HttpClient(forward) { BaseAddress = Discovery };
    }

    public static Uri Discovery { get; } = new("http://discovery.test/");

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    /// <summary>What servers fetch the keys with: it reaches whichever Discovery runs now.</summary>
    public HttpClient Keys { get; }

    /// <summary>How many times the key set was asked for.</summary>
    public int KeySetRequests => forward.Requests;

    public PassSigner Signer => discovery.Services.GetRequiredService<PassSigner>();

    public string Issue(string destination = "r1", string cluster = "red-1.1", string player = "p-1") =>
        Signer.Issue(player, cluster, destination, "1.1.0", "sha256:" + new string('a', 64), Clock.GetUtcNow()).Pass;

    public PassVerifier Verifier(string destination = "r1", string cluster = "red-1.1", Action<PassVerifierOptions>? configure = null)
    {
        var options = new PassVerifierOptions { DiscoveryUrl = Discovery, Cluster = cluster, Destination = destination, HttpClient = Keys, TimeProvider = Clock };
        configure?.Invoke(options);
        return new PassVerifier(options);
    }

    /// <summary>Redeploys Discovery with other pass settings (the same registry and clock).</summary>
    public void Redeploy(IEnumerable<KeyValuePair<string, string?>> passSettings)
    {
        var old = discovery;
        discovery = Start(passSettings);
        old.Dispose();
    }

    public void Dispose()
    {
        Keys.Dispose();
        discovery.Dispose();
        registry.Dispose();
    }

    private ServiceFactory<Program> Start(IEnumerable<KeyValuePair<string, string?>> passSettings)
    {
        var factory = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers, .. passSettings],
            services: s => s.AddSingleton<TimeProvider>(Clock));
        forward.Target = factory.Server.CreateHandler();
        return factory;
    }

    /// <summary>Sends each request to the current Discovery's in-memory server.</summary>
    private sealed class ForwardingHandler : HttpMessageHandler
    {
        private int requests;

        public HttpMessageHandler Target { get; set; } = null!;

        public int Requests => Volatile.Read(ref requests);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref requests);
            using var invoker = new HttpMessageInvoker(Target, disposeHandler: false);
            return await invoker.SendAsync(request, cancellationToken);
        }
    }
}
