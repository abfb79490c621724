using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Idempotency;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Monitoring;
using RedWhite.Registry.Schedules;
using RedWhite.Registry.SharedState;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Schedules;

/// <summary>Body of <c>POST /v1/schedules</c>.</summary>
internal sealed record ScheduleRequest
{
    public string Cluster { get; init; } = "";

    public DateTimeOffset? At { get; init; }

    public int? DesiredCapacity { get; init; }

    public int? MaxPlayers { get; init; }
}

/// <summary><c>/v1/schedules</c>: capacity changes at a time ahead (pre-scaling before an event, a staged launch).</summary>
internal static class ScheduleEndpoints
{
    /// <summary>How far ahead a schedule may be set.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(90);

    /// <summary>Largest desired capacity accepted (Auto Scaling's own limit is per account; this catches typos).</summary>
    public const int MaxDesiredCapacity = 10_000;

    public static RouteGroupBuilder MapSchedules(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/schedules").WithTags("Schedules");
        group.MapGet("", List).RequireAuthorization(AdminPolicies.Read);
        var changes = group.MapGroup("").RequireAuthorization(AdminPolicies.Release).WithIdempotency();
        changes.MapPost("", Create).AddEndpointFilter<JsonBodyFilter>().RefusesBadBodies()
            .Refuses(StatusCodes.Status400BadRequest, "validation_failed").Refuses(StatusCodes.Status409Conflict, "too_many_schedules");
        changes.MapDelete("/{id}", Cancel).Refuses(StatusCodes.Status404NotFound, "schedule_not_found").Refuses(StatusCodes.Status409Conflict, "schedule_finished");
        return group;
    }

    internal static async Task<Results<Ok<ScheduleList>, ProblemHttpResult>> List(IScheduleStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(new ScheduleList(await store.ListAsync(time.GetUtcNow(), cancellationToken)));
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }

    internal static async Task<Results<Created<Schedule>, ProblemHttpResult>> Create(
        JsonBody<ScheduleRequest> body, IScheduleStore store, RegistryMonitor registry, TimeProvider time, HttpContext http)
    {
        var request = body.Value;
        var now = time.GetUtcNow();
        registry.TryGetCurrent(out var snapshot);
        var cluster = snapshot?.TryGetCluster(request.Cluster, out var found) == true ? found.Definition : null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (cluster is null)
        {
            errors["cluster"] = [$"No cluster '{Problems.Shorten(request.Cluster)}' in the registry."];
        }

        if (request.At is not { } at || at <= now || at > now + MaxAhead)
        {
            errors["at"] = ["Must be a UTC time after now and at most 90 days ahead."];
        }

        if (request.DesiredCapacity is null && request.MaxPlayers is null)
        {
            errors["desiredCapacity"] = ["Set desiredCapacity, maxPlayers, or both."];
        }

        if (request.DesiredCapacity is { } desired && (desired is < 0 or > MaxDesiredCapacity || cluster is { AutoScalingGroup: null }))
        {
            errors["desiredCapacity"] = [cluster is { AutoScalingGroup: null }
                ? "The cluster names no autoScalingGroup to scale."
                : $"Must be between 0 and {MaxDesiredCapacity}."];
        }

        if (request.MaxPlayers is { } max && (max is < 1 or > ClusterCapacity.MaxValue || cluster is { Capacity: null }))
        {
            errors["maxPlayers"] = [cluster is { Capacity: null }
                ? "The cluster has no capacity (playersPerDestination) to cap; set one first."
                : $"Must be between 1 and {ClusterCapacity.MaxValue}."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var schedule = new Schedule
        {
            Id = "sch-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Cluster = request.Cluster,
            At = request.At!.Value.ToUniversalTime(),
            DesiredCapacity = request.DesiredCapacity,
            MaxPlayers = request.MaxPlayers,
            CreatedBy = http.User.Identity?.Name ?? "",
            CreatedAt = now,
        };
        try
        {
            if (!await store.AddAsync(schedule, time.GetUtcNow(), http.RequestAborted))
            {
                return Problems.Code(StatusCodes.Status409Conflict, "too_many_schedules", "Too many schedules.",
                    $"{IScheduleStore.Kept.MaxRecords} schedules are kept (finished ones for 7 days); cancel some first.");
            }
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }

        return TypedResults.Created($"/v1/schedules/{schedule.Id}", schedule);
    }

    internal static async Task<Results<Ok<Schedule>, ProblemHttpResult>> Cancel(string id, IScheduleStore store, TimeProvider time, HttpContext http)
    {
        RecordChange<Schedule> change;
        try
        {
            change = await store.ChangeAsync(id, s => s.Status == ScheduleStatus.Pending
                ? s with { Status = ScheduleStatus.Cancelled, CancelledAt = time.GetUtcNow(), CancelledBy = http.User.Identity?.Name }
                : null, http.RequestAborted);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }

        return change switch
        {
            { Current: null } => Problems.Code(StatusCodes.Status404NotFound, "schedule_not_found", "No such schedule.", $"No schedule '{Problems.Shorten(id)}'."),
            { Changed: false, Current: var s } => Problems.Code(StatusCodes.Status409Conflict, "schedule_finished", "The schedule is finished.",
                $"Schedule '{id}' is {s.Status.ToString().ToLowerInvariant()}: nothing to cancel."),
            _ => TypedResults.Ok(change.Current),
        };
    }
}

/// <summary>Answer of <c>GET /v1/schedules</c>.</summary>
internal sealed record ScheduleList(IReadOnlyList<Schedule> Schedules);
