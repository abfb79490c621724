using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Registry.Proposals;

namespace RedWhite.Admin.Changes;

/// <summary>
/// Every field two registry documents differ in, as JSON Pointers: clusters and pins are named by their id (a change of
/// order is no change), other arrays are compared whole, and the revision is left out (every change makes a new one).
/// </summary>
internal static class RegistryDiff
{
    private static readonly Dictionary<string, string> KeyedArrays = new(StringComparer.Ordinal) { ["clusters"] = "id", ["pins"] = "deviceId" };

    public static IReadOnlyList<RegistryDiffEntry> Between(RegistryDocument before, RegistryDocument after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        using var left = JsonDocument.Parse(RegistryJson.Serialize(before));
        using var right = JsonDocument.Parse(RegistryJson.Serialize(after));
        var entries = new List<RegistryDiffEntry>();
        Objects("", left.RootElement, right.RootElement, entries, root: true);
        return entries;
    }

    private static void Objects(string path, JsonElement before, JsonElement after, List<RegistryDiffEntry> entries, bool root = false)
    {
        var names = before.EnumerateObject().Select(p => p.Name).Concat(after.EnumerateObject().Select(p => p.Name)).Distinct(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (root && name == "revision")
            {
                continue;
            }

            var has = (before.TryGetProperty(name, out var b), after.TryGetProperty(name, out var a));
            var at = path + "/" + Escape(name);
            if (has is (true, true) && root && KeyedArrays.TryGetValue(name, out var key) && b.ValueKind == a.ValueKind && a.ValueKind == JsonValueKind.Array)
            {
                Keyed(at, key, b, a, entries);
            }
            else
            {
                Values(at, has.Item1 ? b : null, has.Item2 ? a : null, entries);
            }
        }
    }

    private static void Keyed(string path, string key, JsonElement before, JsonElement after, List<RegistryDiffEntry> entries)
    {
        var left = before.EnumerateArray().ToDictionary(e => e.GetProperty(key).GetString()!, StringComparer.Ordinal);
        var right = after.EnumerateArray().ToDictionary(e => e.GetProperty(key).GetString()!, StringComparer.Ordinal);
        foreach (var id in left.Keys.Concat(right.Keys).Distinct(StringComparer.Ordinal))
        {
            Values(path + "/" + Escape(id), left.TryGetValue(id, out var b) ? b : null, right.TryGetValue(id, out var a) ? a : null, entries);
        }
    }

    private static void Values(string path, JsonElement? before, JsonElement? after, List<RegistryDiffEntry> entries)
    {
        if (before is { ValueKind: JsonValueKind.Object } b && after is { ValueKind: JsonValueKind.Object } a)
        {
            Objects(path, b, a, entries);
            return;
        }

        if (before is { } left && after is { } right && JsonElement.DeepEquals(left, right))
        {
            return;
        }

        entries.Add(new RegistryDiffEntry(path, before?.Clone(), after?.Clone()));
    }

    /// <summary>RFC 6901: <c>~</c> as <c>~0</c>, <c>/</c> as <c>~1</c>.</summary>
    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
