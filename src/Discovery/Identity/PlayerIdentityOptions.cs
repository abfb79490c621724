namespace RedWhite.Discovery.Identity;

/// <summary>
/// Section <c>Discovery:Identity</c>: where the player id of a login comes from. With a JWT configuration
/// it is the validated bearer token's <c>sub</c>, never the body's <c>playerId</c>; tickets are free, so
/// without one any client can claim any player.
/// </summary>
internal sealed class PlayerIdentityOptions
{
    public const string Section = "Discovery:Identity";

    /// <summary>
    /// <c>Jwt</c> or <c>Anonymous</c>. Left out: <c>Jwt</c> when an authority or signing keys are set;
    /// otherwise <c>Anonymous</c> in Development, and a start-up error elsewhere.
    /// </summary>
    public PlayerIdentityMode? Mode { get; set; }

    /// <summary>OpenID Connect authority whose metadata and key set sign the tokens, e.g. <c>https://login.example</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>Token issuer, for symmetric keys (with an authority it comes from the metadata).</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience tokens must be issued for: this game's Discovery.</summary>
    public string? Audience { get; set; }

    /// <summary>Key id to base64 key (32+ bytes), for studios whose own login service signs HS256 tokens.</summary>
    public Dictionary<string, string> SigningKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the authority's metadata must come over https (default true; false only for a loopback test authority).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Clock difference tolerated on a token's lifetime (default 30 s).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The mode in force for <paramref name="development"/>, or <c>null</c> when none can be decided.</summary>
    public PlayerIdentityMode? Effective(bool development) =>
        Mode ?? (Authority is not null || SigningKeys.Count > 0 ? PlayerIdentityMode.Jwt : development ? PlayerIdentityMode.Anonymous : null);
}

/// <summary>How Discovery knows who a player is.</summary>
internal enum PlayerIdentityMode
{
    /// <summary>The body's <c>playerId</c>, unchecked: for development, or a game with no accounts.</summary>
    Anonymous,

    /// <summary>The <c>sub</c> of a validated bearer JWT.</summary>
    Jwt,
}
