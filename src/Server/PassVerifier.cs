using System.Text;
using System.Text.Json;

namespace RedWhite.Server;

/// <summary>
/// Verifies direct-connect passes offline: ES256 only (the header's <c>alg</c> is never trusted to pick another, so
/// <c>none</c> and HMAC are refused), a key Discovery publishes (keys the pass itself points to, <c>jku</c>, <c>jwk</c>,
/// <c>x5u</c>, are never fetched), this server as the audience, unexpired within the clock skew, and each pass once.
/// Thread-safe; one per server.
/// </summary>
public sealed class PassVerifier : IDisposable
{
    private readonly PassVerifierOptions options;
    private readonly KeySetCache keys;
    private readonly ReplayGuard replays;
    private readonly TimeProvider time;
    private readonly HttpClient? ownHttp;
    private readonly string audience;

    public PassVerifier(PassVerifierOptions options)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        options.Validate();
        this.options = options;
        time = options.TimeProvider ?? TimeProvider.System;
        // Keys come from Discovery's own address only: a redirect (a network in between, a misconfigured proxy) is a failed
        // fetch, never keys from somewhere else.
        var http = options.HttpClient ?? (ownHttp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }));
        keys = new KeySetCache(http, new Uri(options.DiscoveryUrl!, PassFormat.KeySetPath), time, options.KeyRefreshInterval, options.MinKeyRefetchInterval);
        replays = new ReplayGuard(options.MaxRememberedPasses);
        audience = PassFormat.Audience(options.Cluster, options.Destination);
    }

    /// <summary>Why the last fetch of Discovery's keys failed, or null after one succeeded.</summary>
    public string? KeyFetchError => keys.LastError;

    /// <summary>How many times Discovery's keys were fetched.</summary>
    public int KeyFetches => keys.Fetches;

    /// <summary>How many admitted passes are remembered against replay.</summary>
    public int RememberedPasses => replays.Count;

    /// <summary>
    /// Verifies <paramref name="pass"/> and, when valid, remembers it so it is not admitted again. Waits only when the
    /// pass names a key not held (the keys are fetched then, at most once per <see cref="PassVerifierOptions.MinKeyRefetchInterval"/>).
    /// </summary>
    public async ValueTask<PassVerification> VerifyAsync(string? pass, CancellationToken cancellationToken = default)
    {
        if (Split(pass, out var header, out var payload, out var signature, out var signingInput) is { } malformed)
        {
            return malformed;
        }

        if (ReadHeader(header, out var kid) is { } refused)
        {
            return refused;
        }

        var (key, loaded) = await keys.FindAsync(kid, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return loaded
                ? PassVerification.Refused(PassStatus.UnknownKey, $"key '{kid}' is not among Discovery's published keys")
                : PassVerification.Refused(PassStatus.KeysUnavailable, "Discovery's keys could not be fetched: " + (keys.LastError ?? "not fetched yet"));
        }

        if (!key.Verifies(signingInput, signature))
        {
            return PassVerification.Refused(PassStatus.BadSignature, $"the signature does not verify with key '{kid}'");
        }

        if (ReadClaims(payload, kid) is not { } claims)
        {
            return PassVerification.Refused(PassStatus.Malformed, "the pass's claims are missing or ill-typed");
        }

        if (claims.Audience != audience || claims.Pass.Cluster != options.Cluster || claims.Pass.Destination != options.Destination)
        {
            return PassVerification.Refused(PassStatus.WrongAudience, $"the pass is for {claims.Audience}, this server is {audience}");
        }

        var now = time.GetUtcNow();
        if (now > claims.Pass.ExpiresAt + options.ClockSkew)
        {
            return PassVerification.Refused(PassStatus.Expired, $"the pass expired at {claims.Pass.ExpiresAt:O}");
        }

        if (claims.Pass.IssuedAt > now + options.ClockSkew)
        {
            return PassVerification.Refused(PassStatus.NotYetValid, $"the pass was issued at {claims.Pass.IssuedAt:O}, later than this server's clock allows");
        }

        return replays.TryAdmit(claims.Pass.Id, claims.Pass.ExpiresAt + options.ClockSkew, now) switch
        {
            ReplayGuard.Outcome.Admitted => new PassVerification(PassStatus.Valid, claims.Pass, null),
            ReplayGuard.Outcome.Seen => PassVerification.Refused(PassStatus.Replayed, $"pass {claims.Pass.Id} was already admitted"),
            _ => PassVerification.Refused(PassStatus.TooManyPasses, $"{options.MaxRememberedPasses} unexpired passes are remembered already"),
        };
    }

    public void Dispose() => ownHttp?.Dispose();

    private static PassVerification? Split(string? pass, out byte[] header, out byte[] payload, out byte[] signature, out byte[] signingInput)
    {
        header = payload = signature = signingInput = [];
        if (string.IsNullOrEmpty(pass) || pass!.Length > PassFormat.MaxLength)
        {
            return PassVerification.Refused(PassStatus.Malformed, $"a pass is 1-{PassFormat.MaxLength} characters");
        }

        var first = pass.IndexOf('.');
        var second = first < 0 ? -1 : pass.IndexOf('.', first + 1);
        // An empty signature is let through to the header check, which refuses it for what it is: an unsigned (alg none) token.
        if (first <= 0 || second <= first + 1 || pass.IndexOf('.', second + 1) >= 0)
        {
            return PassVerification.Refused(PassStatus.Malformed, "a pass is three base64url parts joined by dots");
        }

        if (Base64Url.Decode(pass.AsSpan(0, first)) is not { } h || Base64Url.Decode(pass.AsSpan(first + 1, second - first - 1)) is not { } p ||
            Base64Url.Decode(pass.AsSpan(second + 1)) is not { } s)
        {
            return PassVerification.Refused(PassStatus.Malformed, "a part of the pass is not base64url");
        }

        header = h;
        payload = p;
        signature = s;
        signingInput = Encoding.ASCII.GetBytes(pass.Substring(0, second));
        return null;
    }

    /// <summary>Null with the header's <c>kid</c> when the header is a pass's (ES256, typed, no critical extensions).</summary>
    private static PassVerification? ReadHeader(byte[] header, out string kid)
    {
        kid = "";
        using var document = Parse(header);
        if (document is null)
        {
            return PassVerification.Refused(PassStatus.Malformed, "the pass's header is not a JSON object");
        }

        var root = document.RootElement;
        if (Text(root, "alg") != PassFormat.Algorithm || Text(root, "typ") != PassFormat.Type || root.TryGetProperty("crit", out _))
        {
            return PassVerification.Refused(PassStatus.UnsupportedAlgorithm, $"only {PassFormat.Algorithm} passes typed {PassFormat.Type} are accepted");
        }

        if (Text(root, "kid") is not { Length: > 0 and <= 64 } id)
        {
            return PassVerification.Refused(PassStatus.Malformed, "the pass's header names no key (kid)");
        }

        kid = id;
        return null;
    }

    private static (Pass Pass, string Audience)? ReadClaims(byte[] payload, string kid)
    {
        using var document = Parse(payload);
        if (document is null)
        {
            return null;
        }

        var root = document.RootElement;
        if (Text(root, PassFormat.Claims.Player) is not { Length: > 0 and <= 128 } player ||
            Text(root, PassFormat.Claims.Audience) is not { } aud ||
            Text(root, PassFormat.Claims.Cluster) is not { } cluster ||
            Text(root, PassFormat.Claims.Destination) is not { } destination ||
            Text(root, PassFormat.Claims.ClientBuild) is not { Length: > 0 } build ||
            Seconds(root, PassFormat.Claims.IssuedAt) is not { } issued ||
            Seconds(root, PassFormat.Claims.Expires) is not { } expires ||
            Text(root, PassFormat.Claims.Id) is not { Length: >= 16 and <= 64 } id)
        {
            return null;
        }

        string? config = null;
        if (root.TryGetProperty(PassFormat.Claims.ConfigVersion, out var c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            config = c.GetString();
        }

        return (new Pass
        {
            PlayerId = player, Cluster = cluster, Destination = destination, ClientBuild = build, ConfigVersion = config,
            IssuedAt = issued, ExpiresAt = expires, Id = id, KeyId = kid,
        }, aud);
    }

    /// <summary>A JSON object with no property named twice, or null.</summary>
    private static JsonDocument? Parse(byte[] json)
    {
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
            if (document.RootElement.ValueKind != JsonValueKind.Object || HasDuplicates(document.RootElement))
            {
                document.Dispose();
                return null;
            }

            return document;
        }
        catch (JsonException)
        {
            document?.Dispose();
            return null;
        }
    }

    private static bool HasDuplicates(JsonElement o)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in o.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? Seconds(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var seconds) &&
        seconds is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
}
