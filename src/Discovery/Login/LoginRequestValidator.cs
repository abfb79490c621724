using NuGet.Versioning;
using RedWhite.Core.Caching;
using RedWhite.Core.Tickets;
using RedWhite.Core.Validation;
using RedWhite.Discovery.Admission;

namespace RedWhite.Discovery.Login;

/// <summary>
/// Every problem with a login body at once, keyed by the contract's field names, with the same rules
/// and messages as the Admin API's validators. Written out by hand rather than with FluentValidation:
/// it runs on every login, and allocates nothing unless the body is bad (BENCHMARKS.md).
/// </summary>
internal static class LoginRequestValidator
{
    /// <summary>The errors of <paramref name="request"/>, or <c>null</c> with its parsed build when it is valid.</summary>
    /// <param name="request">The body.</param>
    /// <param name="builds">Parsed builds by text.</param>
    /// <param name="requirePlayerId">False when a token names the player: the body's <c>playerId</c> is then ignored.</param>
    /// <param name="build">The parsed build, when the body is valid.</param>
    public static Dictionary<string, string[]>? Validate(LoginRequest request, ClientBuilds builds, bool requirePlayerId, out ClientBuild? build)
    {
        Dictionary<string, string[]>? errors = null;
        Check(ref errors, "playerId", !requirePlayerId || Rules.IsToken(request.PlayerId), Rules.TokenMessage);
        Check(ref errors, "deviceId", Rules.IsToken(request.DeviceId), Rules.TokenMessage);
        Check(ref errors, "platform", Rules.IsName(request.Platform), Rules.NameMessage);
        build = builds.Parse(request.ClientBuild);
        Check(ref errors, "clientBuild", build is not null, Rules.VersionMessage);
        Check(ref errors, "configVersion", request.ConfigVersion is null || Rules.IsToken(request.ConfigVersion), Rules.TokenMessage);
        Check(ref errors, "ticket", request.Ticket is null || IsOpaque(request.Ticket, TicketCodec.MaxTicketLength), OpaqueMessage);
        Check(ref errors, "queueToken", request.QueueToken is null || IsOpaque(request.QueueToken, QueueTokens.MaxLength), OpaqueMessage);
        return errors;
    }

    private const string OpaqueMessage = "Must be 1-1024 printable ASCII characters without spaces, as Discovery gave it.";

    private static bool IsOpaque(string value, int maxLength) =>
        value.Length is > 0 && value.Length <= maxLength && !value.AsSpan().ContainsAnyExceptInRange('!', '~');

    private static void Check(ref Dictionary<string, string[]>? errors, string field, bool valid, string message)
    {
        if (!valid)
        {
            (errors ??= new(StringComparer.Ordinal))[field] = [message];
        }
    }
}

/// <summary>A client build as parsed once: the version routing compares, and its text for the ticket.</summary>
internal sealed record ClientBuild(NuGetVersion Version, string Normalized);

/// <summary>
/// Parsed client builds by their text. A live game has a handful of builds in the field, so each is
/// parsed once instead of on every login; bounded so that made-up builds cannot grow it without end.
/// </summary>
internal sealed class ClientBuilds
{
    public const int Capacity = 1024;
    private readonly BoundedCache<ClientBuild> parsed = new(Capacity);

    /// <summary>The parsed build, or <c>null</c> when <paramref name="text"/> is not a version.</summary>
    public ClientBuild? Parse(string? text)
    {
        // Longer text is refused before the cache or the parser sees it: a build is a short version.
        if (text is not { Length: > 0 and <= Rules.MaxVersionLength })
        {
            return null;
        }

        if (parsed.TryGet(text, out var known))
        {
            return known;
        }

        return NuGetVersion.TryParse(text, out var version) ? parsed.Remember(text, new ClientBuild(version, version.ToNormalizedString())) : null;
    }
}
