namespace RedWhite.Server;

/// <summary>What a verified pass says: who may join which server, with which build and config, until when.</summary>
public sealed class Pass
{
    /// <summary>The player the pass was issued to.</summary>
    public string PlayerId { get; internal set; } = "";

    /// <summary>The cluster (color) of the server the pass admits to.</summary>
    public string Cluster { get; internal set; } = "";

    /// <summary>The destination (one server) the pass admits to.</summary>
    public string Destination { get; internal set; } = "";

    /// <summary>The client build the player logged in with.</summary>
    public string ClientBuild { get; internal set; } = "";

    /// <summary>The config version the player plays with; null when the cluster has none.</summary>
    public string? ConfigVersion { get; internal set; }

    public DateTimeOffset IssuedAt { get; internal set; }

    public DateTimeOffset ExpiresAt { get; internal set; }

    /// <summary>The pass's unique id: a server admits each pass once.</summary>
    public string Id { get; internal set; } = "";

    /// <summary>The signing key's id.</summary>
    public string KeyId { get; internal set; } = "";
}

/// <summary>What a pass's verification concluded.</summary>
public enum PassStatus
{
    /// <summary>Signed by a published key, for this server, unexpired and not seen before: admit the player.</summary>
    Valid,

    /// <summary>Not a compact JWS of a pass: wrong shape, encoding, JSON, a missing or ill-typed claim, or too long.</summary>
    Malformed,

    /// <summary>Signed with an algorithm other than ES256 (<c>none</c> and HMAC among them), or not typed as a pass.</summary>
    UnsupportedAlgorithm,

    /// <summary>Its <c>kid</c> is not among Discovery's published keys, even after fetching them again.</summary>
    UnknownKey,

    /// <summary>The signature does not verify with the key it names.</summary>
    BadSignature,

    /// <summary>Issued for another server (another cluster or destination).</summary>
    WrongAudience,

    /// <summary>Past its expiry (beyond the allowed clock skew).</summary>
    Expired,

    /// <summary>Issued later than now (beyond the allowed clock skew): the issuer's clock or the pass is wrong.</summary>
    NotYetValid,

    /// <summary>Already admitted once on this server.</summary>
    Replayed,

    /// <summary>
    /// More unexpired passes were admitted than this server remembers (<see cref="PassVerifierOptions.MaxRememberedPasses"/>):
    /// refused rather than admitted without replay protection.
    /// </summary>
    TooManyPasses,

    /// <summary>Discovery's keys could not be fetched and none are held: nothing can be verified yet.</summary>
    KeysUnavailable,
}

/// <summary>A verification's outcome: the status, the pass when it is valid, and for a refusal why in words.</summary>
public sealed class PassVerification
{
    internal PassVerification(PassStatus status, Pass? pass, string? reason)
    {
        Status = status;
        Pass = pass;
        Reason = reason;
    }

    public PassStatus Status { get; }

    /// <summary>The pass, when it is valid.</summary>
    public Pass? Pass { get; }

    /// <summary>Why it was refused, in words for a log line; null when valid.</summary>
    public string? Reason { get; }

    public bool IsValid => Status == PassStatus.Valid;

    internal static PassVerification Refused(PassStatus status, string reason) => new(status, null, reason);
}
