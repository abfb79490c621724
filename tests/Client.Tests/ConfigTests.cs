using System.Security.Cryptography;
using System.Text;
using RedWhite.Client.Transport;
using RedWhite.TestKit;

namespace RedWhite.Client.Tests;

/// <summary>Configs by content address: downloaded once, verified, served from the disk cache after that.</summary>
public sealed class ConfigTests
{
    [Fact]
    public async Task Config_IsDownloadedVerified_ThenServedFromTheCache_EvenToANewSession()
    {
        await using var bed = await PlayBed.StartAsync();
        await using var cache = new TempFolder();
        var version = TestRegistry.ConfigOf("white-1.0");
        var options = bed.Options();
        options.ConfigCacheDirectory = cache.Path;
        using (var session = new RedWhiteSession(options))
        {
            var bytes = await session.GetConfigAsync(version);
            Assert.Equal(TestRegistry.ConfigJson("white-1.0"), Encoding.UTF8.GetString(bytes));
            Assert.Equal(version, "sha256-" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
            await session.GetConfigAsync(version);
            Assert.Equal(1, session.ConfigDownloads);
        }

        Assert.True(File.Exists(Path.Combine(cache.Path, version + ".json")));
        using (var restarted = new RedWhiteSession(options))
        {
            Assert.Equal(TestRegistry.ConfigJson("white-1.0"), Encoding.UTF8.GetString(await restarted.GetConfigAsync(version)));
            Assert.Equal(0, restarted.ConfigDownloads); // a content-addressed version never needs downloading twice
        }

        // A cache file damaged on disk is not trusted: it is downloaded again.
        await File.WriteAllTextAsync(Path.Combine(cache.Path, version + ".json"), "{\"cluster\":\"tampered\"}");
        using var third = new RedWhiteSession(options);
        Assert.Equal(TestRegistry.ConfigJson("white-1.0"), Encoding.UTF8.GetString(await third.GetConfigAsync(version)));
        Assert.Equal(1, third.ConfigDownloads);
    }

    [Fact]
    public async Task Config_WhoseBytesDoNotMatchItsVersion_IsRefused_AndNotCached()
    {
        await using var cache = new TempFolder();
        var version = TestRegistry.ConfigOf("white-1.0");
        var options = new RedWhiteClientOptions
        {
            DiscoveryUri = new Uri("http://127.0.0.1:9/"),
            GatewayUri = new Uri("http://127.0.0.1:9/"),
            Platform = "ios",
            ClientBuild = "1.0.4",
            DeviceId = "d-1",
            ConfigCacheDirectory = cache.Path,
            HttpTransport = new Answering("{\"cluster\":\"someone else's\"}"), // a CDN serving the wrong bytes
        };
        using var session = new RedWhiteSession(options);

        var refused = await Assert.ThrowsAsync<RedWhiteConfigIntegrityException>(() => session.GetConfigAsync(version));
        Assert.Equal(version, refused.Version);
        Assert.Empty(Directory.GetFiles(cache.Path));
        await Assert.ThrowsAsync<ArgumentException>(() => session.GetConfigAsync("../../etc/passwd"));
    }

    [Fact]
    public async Task UnknownConfig_IsReportedWithItsCode()
    {
        await using var bed = await PlayBed.StartAsync();
        using var session = new RedWhiteSession(bed.Options());
        var missing = "sha256-" + new string('0', 64);
        var refused = await Assert.ThrowsAsync<RedWhiteRequestFailedException>(() => session.GetConfigAsync(missing));
        Assert.Equal(404, refused.Status);
        Assert.Equal("config_not_found", refused.Code);
    }

    /// <summary>A transport that answers every request 200 with the same bytes.</summary>
    private sealed class Answering(string body) : IHttpTransport
    {
        public Task<TransportResponse> SendAsync(TransportRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new TransportResponse(200, new Dictionary<string, string>(), Encoding.UTF8.GetBytes(body)));
    }
}
