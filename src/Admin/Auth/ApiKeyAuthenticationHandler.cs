using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Auth;

/// <summary>
/// Authenticates <c>X-Api-Key</c>. The principal's name is the key's configured name (the audit log's
/// actor) and its role claim the key's role. Refusals are problem+json with a <c>code</c>, like every
/// other error of the product.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, ApiKeyRing ring, KeyGuessLimiter limiter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (values.Count > 1 || !ring.TryIdentify(values[0]!, out var name, out var role))
        {
            limiter.Failed(Context.Connection.RemoteIpAddress, Request.Path.Value ?? "");
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.ToString())], SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{Header}\"";
        var missing = string.IsNullOrEmpty(Request.Headers[Header].ToString());
        var problem = missing
            ? Problems.Code(StatusCodes.Status401Unauthorized, "api_key_missing", "An API key is required.", $"Send it in the {Header} header.")
            : Problems.Code(StatusCodes.Status401Unauthorized, "api_key_invalid", "The API key is not valid.", $"The {Header} header names no configured key.");
        return problem.ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Code(StatusCodes.Status403Forbidden, "forbidden", "This API key may not do that.",
            $"Key '{Context.User.Identity?.Name}' has role {Context.User.FindFirstValue(ClaimTypes.Role)}.").ExecuteAsync(Context);
}
