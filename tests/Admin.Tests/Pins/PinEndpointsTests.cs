using System.Net;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Pins;

public sealed class PinEndpointsTests
{
    private const string RedUntil2030 = """{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }""";

    [Fact]
    public async Task Pin_Device_StoresPinAndAnswersIt()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody(RedUntil2030));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.ETag());
        var answered = await response.ReadAsync<DevicePin>();
        Assert.Equal("qa-ipad-07", answered.DeviceId);
        var pin = Assert.Single((await app.StoredAsync()).Pins);
        Assert.Equal(answered, pin);
        Assert.Equal("red-1.1", pin.ClusterId);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), pin.Expires);
    }

    [Fact]
    public async Task Pin_DeviceAlreadyPinned_ReplacesPin()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var qa = app.Client(AdminApp.QaKey);

        await qa.PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody(RedUntil2030));
        var response = await qa.PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody("""{ "clusterId": "white-1.0", "expires": "2031-01-01T00:00:00Z" }"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pin = Assert.Single((await app.StoredAsync()).Pins);
        Assert.Equal("white-1.0", pin.ClusterId);
    }

    [Fact]
    public async Task Pin_SetAgainAsItIs_WritesNoRevision_NoHistory_NoAudit()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var qa = app.Client(AdminApp.QaKey);
        var first = await qa.PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody(RedUntil2030));
        Assert.Equal("\"2\"", first.ETag());
        var audited = (await app.AuditAsync()).Count;
        var history = registry.FilePath + ".history"; // where committed revisions are kept (leases and schedules live elsewhere)
        var kept = Directory.GetFiles(history, "*", SearchOption.AllDirectories).Length;

        for (var i = 0; i < 1_000; i++)
        {
            using var again = await qa.PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody(RedUntil2030));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal("\"2\"", again.ETag()); // the revision it already is
        }

        Assert.Equal(2, (await app.StoredAsync()).Revision);
        Assert.Equal(audited, (await app.AuditAsync()).Count);
        Assert.Equal(kept, Directory.GetFiles(history, "*", SearchOption.AllDirectories).Length); // no revision file kept
    }

    [Theory]
    [InlineData("qa%2Fipad-07", "qa/ipad-07")]   // a slash in a device id, escaped as any client escapes it
    [InlineData("qa%252Fipad", "qa%2Fipad")]     // the text "%2F" itself
    [InlineData("50%25-off", "50%-off")]
    public async Task Pin_DeviceIdWithASlashOrPercent_IsStoredAsTheClientMeantIt_AndUnpinnedTheSameWay(string inPath, string deviceId)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var address = app.StartOnKestrel(); // the in-memory server has no raw request target; Kestrel's is what clients meet
        using var qa = new HttpClient { BaseAddress = address };
        qa.DefaultRequestHeaders.Add("X-Api-Key", AdminApp.QaKey);

        var pinned = await qa.PutAsync($"/v1/pins/{inPath}", Wire.JsonBody(RedUntil2030));

        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        Assert.Equal(deviceId, Assert.Single((await app.StoredAsync()).Pins).DeviceId);
        var unpinned = await qa.DeleteAsync($"/v1/pins/{inPath}");
        Assert.Equal(HttpStatusCode.NoContent, unpinned.StatusCode);
        Assert.Empty((await app.StoredAsync()).Pins);
    }

    [Fact]
    public async Task Pin_DeviceIdWithAnEscapedNul_IsRefusedByTheServerItself_ChangesNothing_AndNamesNoServer()
    {
        // Kestrel refuses %00 in a path before any of Admin's code runs, with a bare 400 it does not let an application
        // shape (docs/security.md, "Bad input, bounded"): the pin is not written, and the answer names no server.
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var address = app.StartOnKestrel();

        var (status, head) = await RawHttp.SendAsync(address,
            $"PUT /v1/pins/qa%00ipad HTTP/1.1\r\nHost: a\r\nX-Api-Key: {AdminApp.QaKey}\r\nContent-Type: application/json\r\nContent-Length: {RedUntil2030.Length}\r\n\r\n{RedUntil2030}");

        Assert.Equal(400, status);
        Assert.Contains("Connection: close", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Server:", head, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await app.StoredAsync()).Pins);
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Pin_UnknownCluster_Returns400NamingClusterId()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07",
            Wire.JsonBody("""{ "clusterId": "green-9.9", "expires": "2030-01-01T00:00:00Z" }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["clusterId"], (await response.ProblemAsync()).Fields());
        Assert.Empty((await app.StoredAsync()).Pins);
    }

    [Fact]
    public async Task Pin_RetiredCluster_Returns400NamingClusterId()
    {
        var document = TestRegistry.Demo() with
        {
            Clusters = [TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)"), TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)", ClusterState.Retired)],
        };
        using var registry = new TestRegistry(document);
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody(RedUntil2030));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["clusterId"], (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Theory]
    [InlineData("""{ "clusterId": "red-1.1" }""")]
    [InlineData("""{ "clusterId": "red-1.1", "expires": null }""")]
    [InlineData("""{ "clusterId": "red-1.1", "expires": "2001-01-01T00:00:00Z" }""")]
    public async Task Pin_ExpiresMissingOrPast_Returns400NamingExpires(string body)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["expires"], (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Pin_ExpiresNotADate_Returns400NamingExpires()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07",
            Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "next tuesday" }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal(["expires"], problem.Fields());
        Assert.Contains("ISO 8601", problem.GetProperty("errors").GetProperty("expires")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unpin_PinnedDevice_RemovesPin_Returns204WithETag()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var qa = app.Client(AdminApp.QaKey);
        await qa.PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody(RedUntil2030));

        var response = await qa.DeleteAsync("/v1/pins/qa-ipad-07");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("\"3\"", response.ETag());
        Assert.Empty((await app.StoredAsync()).Pins);
    }

    [Fact]
    public async Task Unpin_DeviceNotPinned_Returns404()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).DeleteAsync("/v1/pins/nobody");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("pin_not_found", (await response.ProblemAsync()).Code());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }
}
