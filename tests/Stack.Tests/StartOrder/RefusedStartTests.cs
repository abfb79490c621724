using System.Diagnostics;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.StartOrder;

/// <summary>
/// A service started with settings it must refuse (tried as a new user would, in Production) says why in one line per
/// problem, naming the setting and the rule, and exits with code 1 at once: no stack trace to read through.
/// </summary>
public sealed class RefusedStartTests(ITestOutputHelper output)
{
    private const string GoodKey = "an-admin-key-long-enough-0123456789-abc";
    private const string ZeroKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; // 32 zero bytes

    public static TheoryData<string, string[], string> Refusals => new()
    {
        { "Admin", ["--Admin:ApiKeys:ops:Key=0123456789", "--Admin:ApiKeys:ops:Role=ReleaseManager"], "Admin:ApiKeys:ops:Key must be at least 32 characters" },
        { "Gateway", [$"--Tickets:SigningKeys:k1={ZeroKey}", "--Tickets:ActiveKeyId=k1"], "Tickets:SigningKeys:k1 is not a random key" },
        { "Discovery", [$"--Tickets:SigningKeys:k1={ZeroKey}", "--Tickets:ActiveKeyId=k1", "--Discovery:Identity:Mode=Anonymous"], "Tickets:SigningKeys:k1 is not a random key" },
        { "Admin", [$"--Admin:ApiKeys:ops:Key={GoodKey}", "--Admin:ApiKeys:ops:Role=ReleaseManager", "--Registry:File={bad}"], "clusters[0].id: Must be 1-63 characters" },
        { "Gateway", ["--Management:Urls=http://127.0.0.1"], "Management:Urls has 'http://127.0.0.1': give http(s)://host:port with an explicit, fixed port" },
        { "Gateway", ["--Gateway:H2c:Urls=http://127.0.0.1"], "Gateway:H2c:Urls has 'http://127.0.0.1': give http://host:port with an explicit port" },
        { "Gateway", ["--Gateway:Https:Urls=https://127.0.0.1:1443"], "Gateway:Https:Urls needs Gateway:Https:CertificateFile and Gateway:Https:KeyFile" },
        {
            "Discovery", [$"--Tickets:SigningKeys:k1={RandomKey()}", "--Tickets:ActiveKeyId=k1", "--Discovery:Identity:Mode=Anonymous",
                $"--Passes:SigningKeys:p1:PrivateKey={PublicKeyPem()}", "--Passes:ActiveKey=p1"],
            "Passes:SigningKeys:p1 is a public key, not a private key"
        },
    };

    private static string RandomKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static string PublicKeyPem()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        return key.ExportSubjectPublicKeyInfoPem();
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ServiceStartedWithSettingsItMustRefuse_SaysWhyInALine_AndExits1_WithoutAStackTrace(string service, string[] settings, string expected)
    {
        await using var folder = new TempFolder();
        var registry = folder.RegistryFile;
        File.Copy(Repository.File("clusters.json"), registry, overwrite: true);
        var bad = Path.Combine(folder.Path, "bad.json");
        await File.WriteAllTextAsync(bad, """{ "revision": 1, "clusters": [ { "id": "Bad Id", "color": "red" } ] }""");
        string[] args = [$"--Registry:File={registry}", .. settings.Select(s => s.Replace("{bad}", bad, StringComparison.Ordinal))];

        var started = Stopwatch.StartNew();
        await using var process = ServiceProcess.StartDotnet(service.ToLowerInvariant(), Repository.Dll($"src/{service}", $"RedWhite.{service}"), folder.Path, args,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{service} exited {code} after {started.ElapsedMilliseconds} ms");

        var lines = await ReadLogAsync(process.LogFile);
        output.WriteLine(string.Join('\n', lines));
        Assert.Equal(1, code);
        var refusal = Assert.Single(lines, l => l.StartsWith("Cannot start: ", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("   at ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("Unhandled exception", StringComparison.Ordinal));
        Assert.True(refusal.Length < 400, "one line, not a dump");
    }

    /// <summary>The process's output once it has all been written (the log is written as the output arrives).</summary>
    private static async Task<string[]> ReadLogAsync(string path)
    {
        string[] lines = [];
        await Eventually.TrueAsync(async () =>
        {
            lines = await File.ReadAllLinesAsync(path);
            return lines.Any(l => l.StartsWith("Cannot start: ", StringComparison.Ordinal));
        }, "the refusal in the service's output", TimeSpan.FromSeconds(10));
        return lines;
    }
}
