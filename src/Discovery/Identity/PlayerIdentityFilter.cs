using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RedWhite.Core.Validation;
using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Identity;

/// <summary>
/// Puts the validated token's <c>sub</c> on the request as the player id (<see cref="PlayerIdentityFeature"/>),
/// or answers 401 problem+json: <c>token_missing</c>, <c>token_expired</c> or <c>token_invalid</c>. In
/// anonymous mode it passes the request straight on.
/// </summary>
internal sealed class PlayerIdentityFilter(IOptions<PlayerIdentityOptions> options, IHostEnvironment environment) : IEndpointFilter
{
    private readonly bool tokens = options.Value.Effective(environment.IsDevelopment()) == PlayerIdentityMode.Jwt;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        tokens ? AuthenticateAsync(context, next) : next(context);

    private static async ValueTask<object?> AuthenticateAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var result = await http.AuthenticateAsync(PlayerIdentity.Scheme);
        if (!result.Succeeded)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            http.Response.Headers.CacheControl = "no-store";
            return result.None
                ? Refuse("token_missing", "A player token is required.", "Send the token from your login service as Authorization: Bearer <token>.")
                : result.Failure is SecurityTokenExpiredException
                    ? Refuse("token_expired", "The player token has expired.", "Sign in again for a fresh token.")
                    : Refuse("token_invalid", "The player token is not valid.", "The token's signature, issuer or audience is not the one this game trusts.");
        }

        // The player id travels in the ticket and reaches game servers as a header: it must fit the id rule.
        var subject = result.Principal.FindFirst("sub")?.Value;
        if (!Rules.IsToken(subject))
        {
            return Refuse("token_invalid", "The player token names no usable player.", "Its sub claim must be 1-128 printable ASCII characters without spaces.");
        }

        http.Features.Set(new PlayerIdentityFeature(subject!));
        return await next(context);
    }

    private static IResult Refuse(string code, string title, string detail) => Problems.Code(StatusCodes.Status401Unauthorized, code, title, detail);
}

/// <summary>The player id a validated token gave the request.</summary>
internal sealed record PlayerIdentityFeature(string PlayerId);
