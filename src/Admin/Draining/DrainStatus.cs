using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Registry.SharedState;

namespace RedWhite.Admin.Draining;

/// <summary>What the drain controller last did for one cluster, as every Admin shows it in the cluster's <c>status</c>.</summary>
internal sealed record DrainStatus
{
    /// <summary>The group's desired capacity when last read or set.</summary>
    public int? DesiredCapacity { get; init; }

    /// <summary>The last action taken, in words (<c>desired capacity 10 -> 8 (75 players)</c>).</summary>
    public string? LastAction { get; init; }

    /// <summary>When it was taken.</summary>
    public DateTimeOffset? LastActionAt { get; init; }

    /// <summary>Why the controller could not do what it should (unknown group, no credentials, group at its minimum, ...); null when all is well.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// What the controller waits for before it scales the cluster in or retires it (the revision that stopped its logins
    /// to reach every live Gateway and Discovery), in words; null when it waits for nothing.
    /// </summary>
    public string? Waiting { get; init; }

    /// <summary>Since when the cluster has had no players and no connections; null while it has some.</summary>
    public DateTimeOffset? EmptySince { get; init; }

    /// <summary>When the group's capacity was last changed, so it changes at most once per interval.</summary>
    public DateTimeOffset? LastChangedAt { get; init; }

    /// <summary>When the controller retired the cluster: its group goes to 0 once the Gateways' close window has passed.</summary>
    public DateTimeOffset? RetiredAt { get; init; }

    /// <summary>Whether the group has been set to zero after retirement.</summary>
    public bool ScaledToZero { get; init; }
}

/// <summary>The controller's statuses, kept in the shared state store as one document.</summary>
internal sealed class DrainStatusBook(ISharedStateStore store)
{
    private const string Name = "drain-status";

    public async Task<Dictionary<string, DrainStatus>> ReadAsync(CancellationToken cancellationToken)
    {
        var bytes = await store.ReadAsync(Name, cancellationToken);
        try
        {
            return bytes is null
                ? new(StringComparer.Ordinal)
                : JsonSerializer.Deserialize<Dictionary<string, DrainStatus>>(bytes, RegistryJson.Options) ?? new(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return new(StringComparer.Ordinal); // unreadable: start over rather than stop draining
        }
    }

    public Task WriteAsync(IReadOnlyDictionary<string, DrainStatus> statuses, CancellationToken cancellationToken) =>
        store.WriteAsync(Name, Serialize(statuses), cancellationToken);

    public static byte[] Serialize(IReadOnlyDictionary<string, DrainStatus> statuses) => JsonSerializer.SerializeToUtf8Bytes(statuses, RegistryJson.Options);
}
