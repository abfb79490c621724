using System.Security.Cryptography;
using RedWhite.Discovery.Passes;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Passes;

/// <summary>A pass key that cannot sign passes safely stops Discovery at start, with the setting named and the reason.</summary>
public sealed class PassOptionsValidatorTests : IAsyncLifetime
{
    private readonly TempFolder folder = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await folder.DisposeAsync();

    [Fact]
    public void AFreshP256Key_InlineOrInAFile_IsAccepted()
    {
        var file = Path.Combine(folder.Path, "pass.pem");
        File.WriteAllText(file, PassKeysForTests.NewPem());

        var result = Validate(new() { ["k1"] = new() { PrivateKey = PassKeysForTests.NewPem() }, ["k2"] = new() { PrivateKeyFile = file } }, "k1");

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    public static TheoryData<string, string> BadKeys()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new()
        {
            { p256.ExportSubjectPublicKeyInfoPem(), "is a public key, not a private key" },
            { p384.ExportPkcs8PrivateKeyPem(), "passes are ES256, signed with a P-256 key" },
            { rsa.ExportPkcs8PrivateKeyPem(), "is not an EC private key" },
            { rsa.ExportRSAPrivateKeyPem(), "is a 'RSA PRIVATE KEY' PEM" },
            { p256.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)), "is encrypted" },
            { "not a key at all", "is not a PEM key" },
            { "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "is not an EC private key" },
        };
    }

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void AKeyThatIsNotAP256PrivateKey_IsRefused_SayingWhat(string pem, string expected)
    {
        var result = Validate(new() { ["k1"] = new() { PrivateKey = pem } }, "k1");

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Passes:SigningKeys:k1 ", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingKey_IsRefused_WhetherNoPemAFileThatIsNotThereOrAnActiveKeyNotListed()
    {
        Assert.Contains("must set exactly one of PrivateKey", Assert.Single(Validate(new() { ["k1"] = new() }, "k1").Failures!), StringComparison.Ordinal);
        Assert.Contains("cannot be read", Assert.Single(Validate(new() { ["k1"] = new() { PrivateKeyFile = Path.Combine(folder.Path, "absent.pem") } }, "k1").Failures!), StringComparison.Ordinal);
        Assert.Contains("must name one of Passes:SigningKeys", Assert.Single(Validate(new() { ["k1"] = new() { PrivateKey = PassKeysForTests.NewPem() } }, "k9").Failures!), StringComparison.Ordinal);
        Assert.Contains("lists none", Assert.Single(Validate([], "k1").Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDevelopmentKey_IsRefusedOutsideDevelopment_AndAllowedInIt()
    {
        var keys = new Dictionary<string, PassKeyOptions> { ["dev"] = new() { PrivateKey = PassOptions.DevelopmentKeyPem } };

        Assert.Contains("is the public development key", Assert.Single(Validate(keys, "dev").Failures!), StringComparison.Ordinal);
        Assert.True(Validate(keys, "dev", development: true).Succeeded);
    }

    [Fact]
    public void NoKeys_IsAllowed_PassesAreOffThen()
    {
        Assert.True(Validate([], "").Succeeded);
    }

    [Fact]
    public void TheActiveKeyCannotBeRetired_AndTheLifetimeIsBounded()
    {
        var options = Options(new() { ["k1"] = new() { PrivateKey = PassKeysForTests.NewPem(), RetiredAt = DateTimeOffset.UnixEpoch } }, "k1");
        options.Lifetime = TimeSpan.FromHours(1);

        var failures = new PassOptionsValidator(development: false).Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.Contains("is the active key and cannot have RetiredAt", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Passes:Lifetime must be between", StringComparison.Ordinal));
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(Dictionary<string, PassKeyOptions> keys, string active, bool development = false) =>
        new PassOptionsValidator(development).Validate(null, Options(keys, active));

    private static PassOptions Options(Dictionary<string, PassKeyOptions> keys, string active) => new() { SigningKeys = keys, ActiveKey = active };
}
