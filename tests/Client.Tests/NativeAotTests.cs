using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using Xunit.Abstractions;

namespace RedWhite.Client.Tests;

/// <summary>
/// The library in a Native AOT game client: the sample (samples/AotClient) is published Native AOT, with the trimming
/// and AOT analyzers' warnings as errors, and the native binary logs in, calls through the Gateway and opens a socket.
/// Needs clang (<c>.ci/run</c> installs it).
/// </summary>
public sealed class NativeAotTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NativeAotSample_PublishesWithoutWarnings_AndPlaysThroughTheGateway()
    {
        await using var folder = new TempFolder();
        var (exit, log, elapsed) = await Command.RunAsync(
            "dotnet",
            ["publish", "samples/AotClient", "-c", "Release", "-r", "linux-x64", "-o", folder.Path, "-nologo", "-p:TreatWarningsAsErrors=true"],
            TimeSpan.FromMinutes(6));
        output.WriteLine($"Native AOT publish: exit {exit} in {elapsed.TotalSeconds:F0} s");
        Assert.True(exit == 0, "dotnet publish (Native AOT) failed:\n" + log);
        Assert.DoesNotContain("warning", log, StringComparison.OrdinalIgnoreCase);
        var binary = Path.Combine(folder.Path, "RedWhite.AotClient");
        Assert.True(File.Exists(binary), "the publish wrote no native binary");
        Assert.False(File.Exists(Path.Combine(folder.Path, "RedWhite.AotClient.dll")), "the publish is not native");

        await using var bed = await PlayBed.StartAsync();
        var (ran, said, _) = await Command.RunAsync(binary, [bed.DiscoveryUrl.ToString(), bed.GatewayUrl.ToString(), "aot-device"], TimeSpan.FromMinutes(1));
        Assert.True(ran == 0, "the native client failed:\n" + said);
        Assert.Contains("cluster=white-1.0 status=200", said, StringComparison.Ordinal);
        Assert.Contains("\"cluster\":\"white-1.0\"", said, StringComparison.Ordinal); // answered by white's server
        Assert.Contains("socket=ping", said, StringComparison.Ordinal); // echoed through the gateway
        Assert.Single(bed.White.RequestsTo("/game/state"));
    }
}
