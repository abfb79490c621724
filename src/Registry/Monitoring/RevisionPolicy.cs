using RedWhite.Core.Registry;
using RedWhite.Core.Validation;

namespace RedWhite.Registry.Monitoring;

/// <summary>What a reader does with a document its store offers.</summary>
internal enum RevisionVerdictKind
{
    /// <summary>The store still offers the revision held from it: nothing to do.</summary>
    Unchanged,

    /// <summary>Apply the offered document.</summary>
    Apply,

    /// <summary>Keep what is held and raise <see cref="RevisionVerdict.Alarm"/>.</summary>
    Refuse,
}

/// <summary>The policy's answer: a kind and, when refused, the alarm and any validation errors.</summary>
internal sealed record RevisionVerdict(RevisionVerdictKind Kind, RegistryAlarm? Alarm, IDictionary<string, string[]>? Errors, long Offered = -1)
{
    public static readonly RevisionVerdict Unchanged = new(RevisionVerdictKind.Unchanged, null, null);
    public static readonly RevisionVerdict Apply = new(RevisionVerdictKind.Apply, null, null);
}

/// <summary>
/// Judges what the store offers against what a reader holds, the same way at start (holding its snapshot,
/// or nothing) and on every reload: an older revision, an empty registry over a populated one, or an
/// invalid document never replaces what is held. Pure: no store, no clock, no logging.
/// </summary>
internal static class RevisionPolicy
{
    /// <param name="offered">The document the store offers.</param>
    /// <param name="held">The document being served (or the snapshot at start); null when there is none.</param>
    /// <param name="heldFromStore">Whether <paramref name="held"/> came from the store rather than a snapshot.</param>
    public static RevisionVerdict Judge(RegistryDocument offered, RegistryDocument? held, bool heldFromStore)
    {
        if (held is not null)
        {
            // A snapshot at the store's revision is still replaced by the store's copy, so readiness says
            // "store" again (the copies may differ if the store lost its data and was seeded from elsewhere).
            if (heldFromStore && offered.Revision == held.Revision)
            {
                return RevisionVerdict.Unchanged;
            }

            if (offered.Revision < held.Revision)
            {
                return Refused(RegistryAlarmKind.OlderRevision, offered.Revision, $"store offered revision {offered.Revision}, older than held revision {held.Revision}");
            }

            if (offered.Clusters.Count == 0 && held.Clusters.Count > 0)
            {
                return Refused(RegistryAlarmKind.EmptyRegistry, offered.Revision, $"store offered an empty registry at revision {offered.Revision}; keeping revision {held.Revision}");
            }
        }

        var errors = RegistryDocumentValidator.Check(offered);
        return errors.Count == 0 ? RevisionVerdict.Apply : Invalid($"revision {offered.Revision}", errors, held?.Revision, offered.Revision);
    }

    /// <summary>The verdict on a document that could not even be read (<see cref="Documents.RegistryFormatException"/>).</summary>
    public static RevisionVerdict Unreadable(IDictionary<string, string[]> errors, long? held) => Invalid("document", errors, held, -1);

    /// <summary>One line listing validation errors, as logs and alarms show them.</summary>
    public static string Describe(IDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));

    private static RevisionVerdict Invalid(string what, IDictionary<string, string[]> errors, long? held, long offered)
    {
        var keeping = held is { } revision ? $"; keeping revision {revision}" : "";
        return new(RevisionVerdictKind.Refuse, new(RegistryAlarmKind.InvalidDocument, $"invalid {what} rejected: {Describe(errors)}{keeping}"), errors, offered);
    }

    private static RevisionVerdict Refused(RegistryAlarmKind kind, long offered, string message) => new(RevisionVerdictKind.Refuse, new(kind, message), null, offered);
}
