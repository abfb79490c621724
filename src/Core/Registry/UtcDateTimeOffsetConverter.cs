using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedWhite.Core.Registry;

/// <summary>Writes instants as UTC with a <c>Z</c> (<c>2026-11-22T12:00:00Z</c>), as the contract shows; reads any ISO 8601 offset.</summary>
internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime);
}
