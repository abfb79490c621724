namespace RedWhite.Registry.Monitoring;

/// <summary>What kind of trouble a reader has with its store (<c>/readyz</c>'s <c>alarmKind</c>).</summary>
public enum RegistryAlarmKind
{
    /// <summary>The store cannot be read; the reader serves what it holds (or waits, holding nothing).</summary>
    StoreUnreachable,

    /// <summary>The store holds no registry: a shared store not seeded yet, or one that lost its data.</summary>
    StoreEmpty,

    /// <summary>The store offered a revision older than the one held.</summary>
    OlderRevision,

    /// <summary>The store offered a registry with no clusters while the one held has some.</summary>
    EmptyRegistry,

    /// <summary>The store offered a document that is unreadable or fails validation.</summary>
    InvalidDocument,
}

/// <summary>Why a reader is not serving what its store offers, or cannot read the store.</summary>
/// <param name="Kind">What went wrong, for code and dashboards.</param>
/// <param name="Message">What went wrong, for people: the revisions, the store and the errors involved.</param>
public sealed record RegistryAlarm(RegistryAlarmKind Kind, string Message)
{
    /// <summary>The kind as <c>/readyz</c> spells it: kebab-case.</summary>
    public string KindName => Kind switch
    {
        RegistryAlarmKind.StoreUnreachable => "store-unreachable",
        RegistryAlarmKind.StoreEmpty => "store-empty",
        RegistryAlarmKind.OlderRevision => "older-revision",
        RegistryAlarmKind.EmptyRegistry => "empty-registry",
        _ => "invalid-document",
    };

    /// <inheritdoc />
    public override string ToString() => Message;
}
