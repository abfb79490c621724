using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace RedWhite.Admin.Auth;

/// <summary>
/// <c>GET /v1/me</c>: the name and role of the key a request carries, so a client (the dashboard) offers only what
/// the key may do. The API refuses the rest anyway.
/// </summary>
internal static class IdentityEndpoints
{
    public static RouteHandlerBuilder MapIdentity(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet("/v1/me", Get).WithTags("Identity").RequireAuthorization(AdminPolicies.Read);
    }

    internal static Ok<KeyIdentity> Get(ClaimsPrincipal user) =>
        TypedResults.Ok(new KeyIdentity(user.Identity?.Name ?? "", user.FindFirstValue(ClaimTypes.Role) ?? nameof(AdminRole.Viewer)));
}

/// <summary>Who a key is.</summary>
/// <param name="Name">The key's name (the actor in the audit log).</param>
/// <param name="Role"><c>Viewer</c>, <c>QA</c> or <c>ReleaseManager</c>.</param>
internal sealed record KeyIdentity(string Name, string Role);
