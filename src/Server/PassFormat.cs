namespace RedWhite.Server;

/// <summary>
/// The direct-connect pass, as Discovery signs it and game servers verify it: a compact JWS (RFC 7515), header
/// <c>{"alg":"ES256","typ":"rw-pass+jwt","kid":…}</c>, signed with a P-256 key whose public half Discovery publishes at
/// <c>/.well-known/jwks.json</c>. One definition, used by both sides.
/// </summary>
public static class PassFormat
{
    /// <summary>The only algorithm a pass is signed or accepted with (ECDSA P-256 with SHA-256).</summary>
    public const string Algorithm = "ES256";

    /// <summary>The header's <c>typ</c>: a pass is not any other JWT the same key might one day sign.</summary>
    public const string Type = "rw-pass+jwt";

    /// <summary>Where Discovery publishes the public keys, relative to its base address.</summary>
    public const string KeySetPath = "/.well-known/jwks.json";

    /// <summary>The longest pass read; anything longer is refused unread.</summary>
    public const int MaxLength = 2048;

    /// <summary>The audience a pass for <paramref name="destination"/> of <paramref name="cluster"/> names.</summary>
    public static string Audience(string cluster, string destination) => cluster + "/" + destination;

    /// <summary>Claim names.</summary>
    public static class Claims
    {
        public const string Player = "sub";
        public const string Audience = "aud";
        public const string Cluster = "cluster";
        public const string Destination = "destination";
        public const string ClientBuild = "build";
        public const string ConfigVersion = "config";
        public const string IssuedAt = "iat";
        public const string Expires = "exp";
        public const string Id = "jti";
    }
}
