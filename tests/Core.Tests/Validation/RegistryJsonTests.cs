using System.Text;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Core.Tests.Validation;

public class RegistryJsonTests
{
    private static IDictionary<string, string[]> ErrorsOf(string json)
    {
        var document = RegistryJson.TryParse(Encoding.UTF8.GetBytes(json), out var errors);
        Assert.Null(document);
        return errors;
    }

    [Fact]
    public void Parse_WrongType_NamesTheField()
    {
        var errors = ErrorsOf("""{ "revision": 1, "clusters": [ { "id": "a", "weight": "ten" } ] }""");
        Assert.Equal("Expected a whole number.", Assert.Single(errors["clusters[0].weight"]));
    }

    [Fact]
    public void Parse_UnknownEnumValue_NamesTheFieldAndTheChoices()
    {
        var errors = ErrorsOf("""{ "clusters": [ { "id": "a", "state": "purple" } ] }""");
        var message = Assert.Single(errors["clusters[0].state"]);
        Assert.Contains("canary, active, draining, retired", message);
    }

    [Fact]
    public void Parse_UnknownField_NamesIt()
    {
        var errors = ErrorsOf("""{ "revision": 1, "clusterz": [] }""");
        Assert.Equal("Unknown field.", Assert.Single(errors["clusterz"]));
    }

    [Fact]
    public void Parse_NullForRequiredList_NamesTheField()
    {
        var errors = ErrorsOf("""{ "revision": 1, "clusters": null }""");
        Assert.Contains("clusters", errors.Keys);
    }

    [Fact]
    public void Parse_TruncatedFile_IsNotValidJson()
    {
        var errors = ErrorsOf("""{ "revision": 1, "clusters": [ { "id": "a" """);
        Assert.Contains(errors.Values.SelectMany(v => v), m => m.StartsWith("Not valid JSON", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BadDate_NamesTheField()
    {
        var errors = ErrorsOf("""{ "pins": [ { "deviceId": "d", "clusterId": "c", "expires": "tomorrow" } ] }""");
        Assert.Contains("pins[0].expires", errors.Keys);
    }

    [Fact]
    public void Serialize_RoundTripsTheDocument()
    {
        var original = TestRegistry.Demo() with { Pins = [new DevicePin { DeviceId = "qa", ClusterId = "red-1.1", Expires = DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture) }] };
        var copy = RegistryJson.TryParse(RegistryJson.Serialize(original), out var errors)!;
        Assert.Empty(errors);
        Assert.Equal(Encoding.UTF8.GetString(RegistryJson.Serialize(original)), Encoding.UTF8.GetString(RegistryJson.Serialize(copy)));
        Assert.Contains("\"state\": \"canary\"", Encoding.UTF8.GetString(RegistryJson.Serialize(original)));
        Assert.Contains("\"expires\": \"2030-01-01T00:00:00Z\"", Encoding.UTF8.GetString(RegistryJson.Serialize(original)));
    }
}
