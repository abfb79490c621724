using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Core.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Mutations;

/// <summary>
/// <c>?dryRun=true</c> on a registry mutation: the change is planned and validated exactly as it would be applied
/// (same precondition, same refusals), nothing is written, and the answer is the document before and after,
/// so a person can see what a destructive action will change before confirming it.
/// </summary>
internal sealed class DryRun
{
    public const string Parameter = "dryRun";

    public RegistryDocument? Before { get; private set; }

    public RegistryDocument? After { get; private set; }

    public string? Action { get; private set; }

    public string? Target { get; private set; }

    public string? Detail { get; private set; }

    /// <summary>The dry run asked for on this request, or <c>null</c> for a real change.</summary>
    public static DryRun? Of(HttpContext http) => http.Features.Get<DryRun>();

    /// <summary>Records what the change would have committed.</summary>
    public void Planned(RegistryDocument before, RegistryDocument after, string action, string target, string? detail) =>
        (Before, After, Action, Target, Detail) = (before, after, action, target, detail);

    /// <summary>Whether the request asks for a dry run; a value other than true or false is a 400.</summary>
    public static bool TryRead(HttpRequest request, out bool requested, out ProblemHttpResult? problem) =>
        QueryFlags.TryRead(request, Parameter, out requested, out problem);
}

/// <summary>A yes-or-no query parameter of a mutation (<c>?dryRun=true</c>, <c>?emergency=true</c>).</summary>
internal static class QueryFlags
{
    /// <summary>Whether flag <paramref name="name"/> is set: absent or <c>false</c> is no, <c>true</c> yes; anything else (or twice) is a 400 naming it.</summary>
    public static bool TryRead(HttpRequest request, string name, out bool set, out ProblemHttpResult? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        set = false;
        problem = null;
        if (!request.Query.TryGetValue(name, out var values))
        {
            return true;
        }

        switch (values.Count == 1 ? values[0] : null)
        {
            case "true":
                set = true;
                return true;
            case "false":
                return true;
            default:
                problem = Problems.Field(name, "Must be true or false, once.");
                return false;
        }
    }
}

/// <summary>What a dry run answers: the action, and the registry before and after it.</summary>
/// <param name="DryRun">Always true, so the answer cannot be mistaken for a change.</param>
/// <param name="Action">The audit action the change would record.</param>
/// <param name="Target">What it acts on (a cluster id, a device id, <c>registry</c>).</param>
/// <param name="Detail">The audit detail it would record.</param>
/// <param name="Before">The registry as it is (the revision the change is based on).</param>
/// <param name="After">The registry as the change would write it (the next revision).</param>
internal sealed record RegistryPreview(bool DryRun, string Action, string Target, string? Detail, RegistryDocument Before, RegistryDocument After);

/// <summary>Endpoint filter on every registry mutation: turns <c>?dryRun=true</c> into a preview answer.</summary>
internal sealed class DryRunFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!DryRun.TryRead(http.Request, out var requested, out var problem))
        {
            return problem;
        }

        if (!requested)
        {
            return await next(context);
        }

        var dryRun = new DryRun();
        http.Features.Set(dryRun);
        var result = await next(context);
        return dryRun.After is { } after
            ? TypedResults.Ok(new RegistryPreview(true, dryRun.Action!, dryRun.Target!, dryRun.Detail, dryRun.Before!, after))
            : result; // refused: the same problem the real change would get
    }
}

/// <summary>Registration of <see cref="DryRunFilter"/>.</summary>
internal static class DryRunExtensions
{
    public static TBuilder WithDryRun<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, DryRunFilter>().WithMetadata(new QueryFlag(DryRun.Parameter,
            "true: plan and check the change exactly as it would be made, write nothing, and answer 200 " +
            "{ dryRun, action, target, detail, before, after } with the registry before and after it."));
}
