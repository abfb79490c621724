using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Auth;
using RedWhite.Registry;
using RedWhite.Registry.Documents;

namespace RedWhite.Admin.Audit;

/// <summary><c>GET /v1/audit</c>: the audit log, newest first (every role).</summary>
internal static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(AdminPolicies.Read);
        group.MapGet("", Get);
        return group;
    }

    internal static async Task<Results<Ok<AuditResponse>, ProblemHttpResult>> Get(
        string? limit, string? cluster, string? actor, IRegistryStore store, CancellationToken cancellationToken)
    {
        if (!Limit.TryParse(limit, out var count, out var problem))
        {
            return problem!;
        }

        try
        {
            if (cluster is null && actor is null)
            {
                return TypedResults.Ok(new AuditResponse(await store.ReadAuditAsync(count, cancellationToken)));
            }

            // Filtered among the newest Limit.Max entries: enough for a push, bounded for the store.
            var entries = await store.ReadAuditAsync(Limit.Max, cancellationToken);
            return TypedResults.Ok(new AuditResponse(
            [
                .. entries.Where(e => (cluster is null || string.Equals(e.Target, cluster, StringComparison.Ordinal)) &&
                                      (actor is null || string.Equals(e.Actor, actor, StringComparison.Ordinal))).Take(count),
            ]));
        }
        catch (Exception ex) when (ex is RegistryStoreUnavailableException or IOException)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }
}
