namespace RedWhite.Discovery.Passes;

/// <summary>
/// Section <c>Passes</c>: the keys that sign direct-connect passes. With no keys, Discovery signs no passes (a direct
/// cluster's logins answer 503 <c>passes_unavailable</c>) and publishes an empty key set.
/// </summary>
internal sealed class PassOptions
{
    public const string Section = "Passes";

    /// <summary>
    /// The development key appsettings.Development.json ships (public, so refused outside Development), as its PKCS#8 PEM.
    /// </summary>
    public const string DevelopmentKeyPem = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPVk9wc9vL9V2ymPJ
        8GKJVdJpxsvTGvHCc8t5VGA9oSKhRANCAAQGjQGhfxbm6QExIM6CgYuOSx7sLLhv
        tuEsSURWWJPlXYqMcy2+eAQ2UbzEl1280VTXc0GkuqHHiFjqY+5MreWz
        -----END PRIVATE KEY-----
        """;

    /// <summary>Key id (<c>kid</c>) to the key.</summary>
    public Dictionary<string, PassKeyOptions> SigningKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The key that signs new passes; the others are published only, so passes they signed still verify.</summary>
    public string ActiveKey { get; set; } = "";

    /// <summary>How long a pass admits its player after login (default 60 s).</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>One pass key: a P-256 private key, inline or in a file, and when it stopped signing.</summary>
internal sealed class PassKeyOptions
{
    /// <summary>The PEM (<c>-----BEGIN PRIVATE KEY-----</c> or <c>-----BEGIN EC PRIVATE KEY-----</c>).</summary>
    public string? PrivateKey { get; set; }

    /// <summary>A file holding the PEM (a mounted secret), instead of <see cref="PrivateKey"/>.</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>
    /// When the key stopped signing (it was rotated out). It is published until this plus the pass lifetime and the
    /// servers' refresh margin, then no longer; unset: published while listed.
    /// </summary>
    public DateTimeOffset? RetiredAt { get; set; }
}
