using System.Net;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using RedWhite.Discovery.Passes;
using RedWhite.Server;

namespace RedWhite.Micro;

/// <summary>
/// Direct-connect passes: what Discovery pays to sign one per login, and what a game server pays to verify one per
/// join (ES256 signature, claims, audience, expiry, replay check; the keys held, as they are after the first join).
/// </summary>
[MemoryDiagnoser]
public class PassBenchmarks
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private PassSigner signer = null!;
    private PassVerifier verifier = null!;
    private string[] passes = [];
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        signer = new PassSigner(Options.Create(new PassOptions
        {
            ActiveKey = "p1",
            SigningKeys = new(StringComparer.Ordinal) { ["p1"] = new PassKeyOptions { PrivateKey = key.ExportPkcs8PrivateKeyPem() } },
        }));
        var keySet = signer.KeySet(Now);
        verifier = new PassVerifier(new PassVerifierOptions
        {
            DiscoveryUrl = new Uri("http://discovery.test/"), Cluster = "blue-1.1", Destination = "b1",
            HttpClient = new HttpClient(new KeySetHandler(keySet)), MaxRememberedPasses = 10_000_000,
        });

        // Each verification takes a pass not seen before until they run out; later ones are refused as replays at the last
        // step, after the same signature and claim checks.
        passes = [.. Enumerable.Range(0, 200_000).Select(i => Sign($"player-{i}"))];
        verifier.VerifyAsync(passes[^1]).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public string Sign() => Sign("player-1234567");

    [Benchmark]
    public PassStatus Verify() => verifier.VerifyAsync(passes[next++ % (passes.Length - 1)]).GetAwaiter().GetResult().Status;

    private string Sign(string player) => signer.Issue(player, "blue-1.1", "b1", "1.1.0", "sha256-9f2c4a1b", Now).Pass;

    /// <summary>Serves the key set from memory: no network in a micro-benchmark.</summary>
    private sealed class KeySetHandler(byte[] keySet) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(keySet) });
    }
}
