using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Changes;
using RedWhite.Admin.Convergence;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Monitoring;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.History;

/// <summary>
/// <c>/v1/registry</c>: the whole document, its history, which revision the instances route from (every role) and rollback
/// (release managers).
/// Rollback restores an earlier revision's content as a new revision, so history only grows and every
/// reader moves forward to it like to any other change.
/// </summary>
internal static class RegistryEndpoints
{
    public static RouteGroupBuilder MapRegistry(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/registry").WithTags("Registry").RequireAuthorization(AdminPolicies.Read);
        group.MapGet("", Get);
        group.MapGet("/history", GetHistory);
        group.MapGet("/convergence", ConvergenceEndpoints.Get);
        group.MapGet("/revisions/{revision}", GetRevision).Refuses(StatusCodes.Status404NotFound, "revision_not_found");
        var changes = group.MapGroup("").RequireAuthorization(AdminPolicies.Release).WithDryRun().WithChangeControl().WithConvergence()
            .AddEndpointFilter<JsonBodyFilter>().WithIdempotency().RefusesBadBodies();
        changes.MapPost("/rollback", Rollback).Refuses(StatusCodes.Status404NotFound, "revision_not_found");
        changes.MapPost("/import", RegistryImport.Import).Refuses(StatusCodes.Status404NotFound, "revision_not_found")
            .Refuses(StatusCodes.Status422UnprocessableEntity, "import_unmapped").Refuses(StatusCodes.Status502BadGateway, "environment_unreachable");
        return group;
    }

    internal static Results<Ok<RegistryDocument>, StatusCodeHttpResult> Get(RegistryMonitor registry, HttpRequest request, HttpResponse response)
    {
        var document = registry.Current.Document;
        var etag = RegistryMutator.ETag(document.Revision);
        response.Headers.ETag = etag;
        if (request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',', StringSplitOptions.TrimEntries).Any(t => t == etag || t == "W/" + etag || t == "*")))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(document);
    }

    internal static async Task<Results<Ok<HistoryResponse>, ProblemHttpResult>> GetHistory(
        string? limit, IRegistryStore store, CancellationToken cancellationToken)
    {
        if (!Limit.TryParse(limit, out var count, out var problem))
        {
            return problem!;
        }

        try
        {
            var revisions = await store.ListRevisionsAsync(count, cancellationToken);
            var audit = await store.ReadAuditAsync(count, cancellationToken);
            // Entries that made no revision (a proposal made or rejected, a scheduled Auto Scaling change) describe none.
            var byRevision = audit.Where(e => e.RevisionAfter != e.RevisionBefore).GroupBy(e => e.RevisionAfter).ToDictionary(g => g.Key, g => g.First());
            return TypedResults.Ok(new HistoryResponse(
            [
                .. revisions.Select(r => byRevision.TryGetValue(r, out var e)
                    ? new RevisionSummary(r, e.At, e.Actor, e.Action, e.Target, e.Detail, e.ApprovedBy, e.Emergency)
                    : Unaudited(r)),
            ]));
        }
        catch (Exception ex) when (ex is RegistryStoreUnavailableException or IOException)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }

    /// <summary>A kept revision's whole document (what a rollback to it would restore), to compare revisions.</summary>
    internal static async Task<Results<Ok<RegistryDocument>, ProblemHttpResult>> GetRevision(
        string revision, IRegistryStore store, HttpResponse response, CancellationToken cancellationToken)
    {
        if (!long.TryParse(revision, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return Problems.Field("revision", "Must be a whole number from 1.");
        }

        try
        {
            if (await store.LoadRevisionAsync(number, cancellationToken) is not { } document)
            {
                return AdminProblems.RevisionNotFound(number);
            }

            response.Headers.ETag = RegistryMutator.ETag(document.Revision);
            response.Headers.CacheControl = "private, max-age=86400, immutable"; // a kept revision never changes
            return TypedResults.Ok(document);
        }
        catch (Exception ex) when (ex is RegistryStoreUnavailableException or IOException)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }

    internal static async Task<Results<Ok<RegistryDocument>, ProblemHttpResult>> Rollback(
        JsonBody<RollbackRequest> body, RegistryMutator mutator, IRegistryStore store, HttpContext http)
    {
        var invalid = RollbackRequestValidator.Instance.Validate(body.Value);
        if (!invalid.IsValid)
        {
            return Problems.Validation(invalid.ToDictionary());
        }

        var target = body.Value.ToRevision!.Value;
        var outcome = await mutator.ApplyAsync(http, async (current, cancellationToken) =>
        {
            if (target >= current.Revision)
            {
                return Problems.Field("toRevision", $"Must be earlier than the current revision {current.Revision}.");
            }

            if (await store.LoadRevisionAsync(target, cancellationToken) is not { } earlier)
            {
                return AdminProblems.RevisionNotFound(target);
            }

            return Change.To(earlier, "rollback", "registry", $"to content of revision {target}");
        });
        return outcome.Then(TypedResults.Ok);
    }

    /// <summary>
    /// A revision with no audit entry was not written through Admin: the first revision as shipped in the
    /// registry file, or a hand edit. Say so rather than answer a row of nulls.
    /// </summary>
    private static RevisionSummary Unaudited(long revision) =>
        new(revision, null, null, "external", "registry", "Written outside Admin (the registry file as first loaded, or a hand edit): no audit entry.");
}
