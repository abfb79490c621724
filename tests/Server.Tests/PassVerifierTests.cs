using System.Security.Cryptography;
using System.Text;
using RedWhite.TestKit;

namespace RedWhite.Server.Tests;

/// <summary>
/// A game server admits a player on a pass Discovery signed for it, once, before it expires; every forgery, misdirected,
/// stale or replayed pass is refused with the reason, without the server holding any secret.
/// </summary>
public sealed class PassVerifierTests : IDisposable
{
    private static readonly string OldKey = PassKeysForTests.NewPem();
    private static readonly string NewKey = PassKeysForTests.NewPem();
    private readonly PassBed bed = new(PassKeysForTests.Settings("old", new Dictionary<string, string> { ["old"] = OldKey }));

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task APassForThisServer_IsAdmitted_WithWhatDiscoverySigned()
    {
        using var server = bed.Verifier();

        var result = await server.VerifyAsync(bed.Issue(player: "p-42"));

        Assert.Equal(PassStatus.Valid, result.Status);
        var pass = result.Pass!;
        Assert.Equal(("p-42", "red-1.1", "r1", "1.1.0", "old"), (pass.PlayerId, pass.Cluster, pass.Destination, pass.ClientBuild, pass.KeyId));
        Assert.Equal("sha256:" + new string('a', 64), pass.ConfigVersion);
        Assert.Equal(bed.Clock.GetUtcNow().AddSeconds(60), pass.ExpiresAt);
    }

    [Fact]
    public async Task APassForAnotherDestination_OrAnotherClustersServer_IsRefused()
    {
        using var r2 = bed.Verifier(destination: "r2");
        using var white = bed.Verifier(destination: "r1", cluster: "white-1.0");

        Assert.Equal(PassStatus.WrongAudience, (await r2.VerifyAsync(bed.Issue(destination: "r1"))).Status);
        Assert.Equal(PassStatus.WrongAudience, (await white.VerifyAsync(bed.Issue(destination: "r1"))).Status);
    }

    [Fact]
    public async Task AnExpiredPass_IsRefused_PastTheClockSkew_AndAdmittedWithinIt()
    {
        using var server = bed.Verifier(configure: o => o.ClockSkew = TimeSpan.FromSeconds(5));
        var late = bed.Issue(player: "p-late");
        var stale = bed.Issue(player: "p-stale");

        bed.Clock.Advance(TimeSpan.FromSeconds(64)); // 4 s past expiry: within the skew
        Assert.Equal(PassStatus.Valid, (await server.VerifyAsync(late)).Status);
        bed.Clock.Advance(TimeSpan.FromSeconds(2)); // 6 s past: beyond it
        var refused = await server.VerifyAsync(stale);

        Assert.Equal(PassStatus.Expired, refused.Status);
        Assert.Contains("expired", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APassAdmittedOnce_IsRefusedTheSecondTime()
    {
        using var server = bed.Verifier();
        var pass = bed.Issue();

        Assert.Equal(PassStatus.Valid, (await server.VerifyAsync(pass)).Status);
        Assert.Equal(PassStatus.Replayed, (await server.VerifyAsync(pass)).Status);
        Assert.Equal(1, server.RememberedPasses);
    }

    [Fact]
    public async Task PassIds_AreForgottenOnceTheyExpire_AndPastTheBound_NewPassesAreRefusedNotAdmittedUnremembered()
    {
        using var server = bed.Verifier(configure: o => o.MaxRememberedPasses = 2);

        Assert.Equal(PassStatus.Valid, (await server.VerifyAsync(bed.Issue(player: "a"))).Status);
        Assert.Equal(PassStatus.Valid, (await server.VerifyAsync(bed.Issue(player: "b"))).Status);
        Assert.Equal(PassStatus.TooManyPasses, (await server.VerifyAsync(bed.Issue(player: "c"))).Status);

        bed.Clock.Advance(TimeSpan.FromSeconds(91)); // past the first two passes' expiry and the skew: forgotten
        Assert.Equal(PassStatus.Valid, (await server.VerifyAsync(bed.Issue(player: "d"))).Status);
        Assert.Equal(1, server.RememberedPasses);
    }

    [Fact]
    public async Task APassSignedWithAnUnpublishedKey_IsRefused_UnderItsOwnKidOrAPublishedOne()
    {
        using var server = bed.Verifier();
        var genuine = bed.Issue();
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var sameKid = await server.VerifyAsync(Resign(genuine, forger, header => header));
        var ownKid = await server.VerifyAsync(Resign(genuine, forger, header => header.Replace("\"kid\":\"old\"", "\"kid\":\"forged\"", StringComparison.Ordinal)));

        Assert.Equal(PassStatus.BadSignature, sameKid.Status);
        Assert.Equal(PassStatus.UnknownKey, ownKid.Status);
    }

    [Fact]
    public async Task PassesNamingUnknownKeys_FetchTheKeysAtMostOncePerInterval()
    {
        using var server = bed.Verifier(configure: o => o.MinKeyRefetchInterval = TimeSpan.FromSeconds(10));
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var genuine = bed.Issue();
        await server.VerifyAsync(genuine);
        var before = bed.KeySetRequests;

        for (var i = 0; i < 50; i++)
        {
            var kid = "made-up-" + i;
            Assert.Equal(PassStatus.UnknownKey, (await server.VerifyAsync(Resign(genuine, forger, h => h.Replace("\"kid\":\"old\"", $"\"kid\":\"{kid}\"", StringComparison.Ordinal)))).Status);
        }

        Assert.Equal(before, bed.KeySetRequests); // the first fetch was under 10 s ago
        bed.Clock.Advance(TimeSpan.FromSeconds(10));
        await server.VerifyAsync(Resign(genuine, forger, h => h.Replace("\"kid\":\"old\"", "\"kid\":\"another\"", StringComparison.Ordinal)));
        Assert.Equal(before + 1, bed.KeySetRequests);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("ES384")]
    public async Task APassWhoseAlgorithmIsChanged_IsRefused_EvenSignedWithThePublicKeyAsAnHmacSecret(string alg)
    {
        using var server = bed.Verifier();
        var genuine = bed.Issue();
        var parts = genuine.Split('.');
        var header = Encode(Decode(parts[0]).Replace("\"ES256\"", $"\"{alg}\"", StringComparison.Ordinal));
        var input = header + "." + parts[1];

        // The classic confusion: HMAC keyed with the published public key, which any attacker can read.
        var keySet = await bed.Keys.GetByteArrayAsync(new Uri(PassFormat.KeySetPath, UriKind.Relative));
        var forged = alg switch
        {
            "none" => input + ".",
            "HS256" => input + "." + Base64Url.Encode(HMACSHA256.HashData(keySet, Encoding.ASCII.GetBytes(input))),
            _ => input + "." + parts[2],
        };

        var result = await server.VerifyAsync(forged);

        Assert.True(result.Status is PassStatus.UnsupportedAlgorithm or PassStatus.Malformed, $"{alg}: {result.Status}");
        Assert.Equal(PassStatus.UnsupportedAlgorithm, (await server.VerifyAsync(input + "." + parts[2])).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("only.two")]
    [InlineData("a.b.c.d")]
    [InlineData("!!!.@@@.###")]
    [InlineData("e30.e30.AAAA")] // {} and {}: no alg, no claims
    public async Task MalformedPasses_AreRefused_AsMalformedOrUnsupported_WithoutFetchingKeys(string pass)
    {
        using var server = bed.Verifier();

        var result = await server.VerifyAsync(pass);

        Assert.True(result.Status is PassStatus.Malformed or PassStatus.UnsupportedAlgorithm, result.Status.ToString());
        Assert.Equal(0, server.KeyFetches);
    }

    [Fact]
    public async Task APassLongerThanTheLimit_IsRefusedUnread()
    {
        using var server = bed.Verifier();

        var result = await server.VerifyAsync(new string('a', PassFormat.MaxLength + 1));

        Assert.Equal(PassStatus.Malformed, result.Status);
    }

    [Fact]
    public async Task AClaimNamedTwice_IsRefused_ThoughTheSignatureIsGenuine()
    {
        // A signer bug or a parser difference must not let a second "aud" choose the server: the pass is refused.
        using var server = bed.Verifier();
        var parts = bed.Issue().Split('.');
        var doubled = Decode(parts[1]).Replace("\"sub\":", "\"aud\":\"red-1.1/r2\",\"sub\":", StringComparison.Ordinal);

        var result = await server.VerifyAsync(parts[0] + "." + Encode(doubled) + "." + parts[2]);

        Assert.NotEqual(PassStatus.Valid, result.Status);
    }

    [Fact]
    public async Task KeyRotation_OldPassesAdmittedUntilTheyExpire_ServersTakeTheNewKeyWithoutRestart_TheOldKeyLeavesTheSet()
    {
        using var server = bed.Verifier();
        Assert.Equal(PassStatus.Valid, (await server.VerifyAsync(bed.Issue(player: "warm"))).Status); // the server holds the old key
        var oldA = bed.Issue(player: "a");
        var oldB = bed.Issue(player: "b");

        // Rotation, a while later: Discovery redeployed with the new key active and the old one retired now.
        bed.Clock.Advance(TimeSpan.FromSeconds(20));
        bed.Redeploy(PassKeysForTests.Settings("new", new Dictionary<string, string> { ["new"] = NewKey, ["old"] = OldKey })
            .Append(new("Passes:SigningKeys:old:RetiredAt", bed.Clock.GetUtcNow().ToString("O"))));

        var signedWithNew = await server.VerifyAsync(bed.Issue(player: "after"));
        Assert.Equal(PassStatus.Valid, signedWithNew.Status); // the new key was fetched at once: no restart
        Assert.Equal("new", signedWithNew.Pass!.KeyId);
        Assert.Equal(PassStatus.Valid, (await server.VerifyAsync(oldA)).Status); // the old key's passes still admit

        bed.Clock.Advance(TimeSpan.FromSeconds(40 + 31)); // past their expiry and the skew
        Assert.Equal(PassStatus.Expired, (await server.VerifyAsync(oldB)).Status);
        Assert.Contains("\"kid\":\"old\"", await KeySetAsync(), StringComparison.Ordinal);
        bed.Clock.Advance(TimeSpan.FromMinutes(5)); // RetiredAt + lifetime + the publish margin: no longer published
        Assert.DoesNotContain("\"kid\":\"old\"", await KeySetAsync(), StringComparison.Ordinal);
        Assert.Contains("\"kid\":\"new\"", await KeySetAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenDiscoveryCannotBeReached_PassesAreRefusedAsKeysUnavailable_NotAdmitted()
    {
        using var nowhere = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) });
        using var server = new PassVerifier(new PassVerifierOptions
        {
            DiscoveryUrl = new Uri("http://127.0.0.1:9/"), Cluster = "red-1.1", Destination = "r1", HttpClient = nowhere, TimeProvider = bed.Clock,
        });

        var result = await server.VerifyAsync(bed.Issue());

        Assert.Equal(PassStatus.KeysUnavailable, result.Status);
        Assert.NotNull(server.KeyFetchError);
    }

    private Task<string> KeySetAsync() => bed.Keys.GetStringAsync(new Uri(PassFormat.KeySetPath, UriKind.Relative));

    private static string Resign(string pass, ECDsa key, Func<string, string> header)
    {
        var parts = pass.Split('.');
        var input = Encode(header(Decode(parts[0]))) + "." + parts[1];
        return input + "." + Base64Url.Encode(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }

    private static string Decode(string part) => Encoding.UTF8.GetString(Base64Url.Decode(part)!);

    private static string Encode(string json) => Base64Url.Encode(Encoding.UTF8.GetBytes(json));
}
