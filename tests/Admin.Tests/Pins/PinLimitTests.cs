using System.Globalization;
using System.Net;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Pins;

/// <summary>A QA key cannot grow the registry without end: pins are bounded in number and in lifetime.</summary>
public sealed class PinLimitTests
{
    [Fact]
    public async Task Pin_ExpiringBeyondMaxPinLifetime_Is400NamingExpires_AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: [new("Admin:MaxPinLifetime", "30.00:00:00")]);

        using var tooLong = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody(PinUntil(DateTimeOffset.UtcNow.AddDays(31))));
        using var fine = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-08", Wire.JsonBody(PinUntil(DateTimeOffset.UtcNow.AddDays(29))));

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(["expires"], (await tooLong.ProblemAsync()).Fields());
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        Assert.Equal(["qa-ipad-08"], (await app.StoredAsync()).Pins.Select(p => p.DeviceId));
    }

    [Fact]
    public async Task Pin_BeyondMaxPins_Is400NamingPins_AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: [new("Admin:MaxPins", "3")]);
        var qa = app.Client(AdminApp.QaKey);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await qa.PutAsync($"/v1/pins/device-{i}", Wire.JsonBody(PinUntil(DateTimeOffset.UtcNow.AddDays(1))))).StatusCode);
        }

        using var fourth = await qa.PutAsync("/v1/pins/device-3", Wire.JsonBody(PinUntil(DateTimeOffset.UtcNow.AddDays(1))));
        using var repinned = await qa.PutAsync("/v1/pins/device-1", Wire.JsonBody(PinUntil(DateTimeOffset.UtcNow.AddDays(2))));

        Assert.Equal(HttpStatusCode.BadRequest, fourth.StatusCode);
        Assert.Equal(["pins"], (await fourth.ProblemAsync()).Fields());
        Assert.Equal(HttpStatusCode.OK, repinned.StatusCode); // replacing a device's own pin is not a new one
        Assert.Equal(3, (await app.StoredAsync()).Pins.Count);
    }

    [Fact]
    public async Task Pin_Write_ClearsExpiredPins_SoOnlyLivePinsCount()
    {
        var past = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var registry = new TestRegistry(TestRegistry.Demo() with
        {
            Pins = [new DevicePin { DeviceId = "old-1", ClusterId = "red-1.1", Expires = past }, new DevicePin { DeviceId = "old-2", ClusterId = "red-1.1", Expires = past }],
        });
        await using var app = new AdminApp(registry, extra: [new("Admin:MaxPins", "1")]);

        using var response = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody(PinUntil(DateTimeOffset.UtcNow.AddDays(1))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["qa-ipad-07"], (await app.StoredAsync()).Pins.Select(p => p.DeviceId));
    }

    [Fact]
    public void Start_WithAnUnusablePinLimit_FailsNamingTheKey()
    {
        using var registry = new TestRegistry();
        using var app = new AdminApp(registry, extra: [new("Admin:MaxPins", "0")]);

        var error = Assert.ThrowsAny<Exception>(() => app.Client());

        Assert.Contains("Admin:MaxPins", error.ToString(), StringComparison.Ordinal);
    }

    private static string PinUntil(DateTimeOffset expires) =>
        $$"""{ "clusterId": "red-1.1", "expires": "{{expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}" }""";
}
