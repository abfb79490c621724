using System.Text.Json;
using RedWhite.Core.Registry;

namespace RedWhite.Registry.Convergence;

/// <summary>What one Gateway or Discovery said last of the registry it routes from.</summary>
/// <param name="Instance">The instance's name (<c>Gateway:InstanceId</c>; <c>Convergence:InstanceId</c> for Discovery).</param>
/// <param name="Role"><c>gateway</c> or <c>discovery</c>.</param>
/// <param name="Revision">The registry revision it routes from.</param>
/// <param name="At">When it said so.</param>
public sealed record InstanceReport(string Instance, string Role, long Revision, DateTimeOffset At)
{
    /// <summary>The report as stored.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, RegistryJson.Options);

    /// <summary>A stored report, or null when the bytes are not one (a damaged entry is skipped, not fatal).</summary>
    public static InstanceReport? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<InstanceReport>(json, RegistryJson.Options) is { Instance.Length: > 0, Role.Length: > 0 } report ? report : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
