using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Mutations;
using RedWhite.Registry;
using RedWhite.Registry.Convergence;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Convergence;

/// <summary>
/// Endpoint filter on every registry mutation: its answer carries the header <c>RW-Converged</c> (<c>true</c> or
/// <c>false</c>), whether every live Gateway and Discovery already routes from the revision it wrote. With
/// <c>?wait=converged</c> the answer waits for that, up to <c>Convergence:MaxWait</c>; when the wait runs out it is 202
/// <c>{ "revision", "converged": false, "pending": [...], "result": &lt;the answer&gt; }</c>, naming the instances still
/// behind. The change stands either way: waiting only decides when the caller hears of it. The answer's body is left as
/// it is otherwise (clients that read it strictly keep working).
/// </summary>
internal sealed class ConvergenceFilter(ConvergenceReader convergence, IOptions<JsonOptions> json) : IEndpointFilter
{
    public const string Parameter = "wait";
    public const string Converged = "converged";
    public const string Header = "RW-Converged";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var wait = false;
        if (http.Request.Query.TryGetValue(Parameter, out var values))
        {
            if (values.Count != 1 || values[0] != Converged)
            {
                return Problems.Field(Parameter, $"Must be '{Converged}', once.");
            }

            wait = true;
        }

        var result = await next(context);
        var answer = result is INestedHttpResult nested ? nested.Result : result;
        if (DryRun.Of(http) is not null || answer is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK or StatusCodes.Status201Created } ||
            !IfMatch.TryParseETag(http.Response.Headers.ETag, out var revision))
        {
            return result; // refused, or a dry run: nothing was written to converge on
        }

        ConvergenceState state;
        try
        {
            state = wait
                ? await convergence.WaitAsync(revision, convergence.MaxWait, http.RequestAborted)
                : await convergence.ToAsync(revision, http.RequestAborted);
        }
        catch (RegistryStoreUnavailableException)
        {
            return result; // the change stands; whether it has spread cannot be read now
        }

        http.Response.Headers[Header] = state.Reached ? "true" : "false";
        if (!wait || state.Reached)
        {
            return result;
        }

        var pending = ConvergenceResponse.Of(state).Instances.Where(i => !i.Current).ToList();
        var value = (answer as IValueHttpResult)?.Value;
        return TypedResults.Json(new PendingAnswer(revision, false, pending, value), json.Value.SerializerOptions, statusCode: StatusCodes.Status202Accepted);
    }
}

/// <summary>A mutation's answer when <c>?wait=converged</c> ran out: made, but not yet routed by every live instance.</summary>
/// <param name="Revision">The revision the mutation wrote.</param>
/// <param name="Converged">Always false here.</param>
/// <param name="Pending">The live instances still on an earlier revision.</param>
/// <param name="Result">The answer the mutation gives without waiting.</param>
internal sealed record PendingAnswer(long Revision, bool Converged, IReadOnlyList<InstanceView> Pending, object? Result);

/// <summary>Registration of <see cref="ConvergenceFilter"/>.</summary>
internal static class ConvergenceExtensions
{
    public static TBuilder WithConvergence<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, ConvergenceFilter>()
            .WithMetadata(new QueryFlag(ConvergenceFilter.Parameter,
                "converged: answer once every live Gateway and Discovery routes from the revision written (RW-Converged: true), or after " +
                "Convergence:MaxWait with 202 { revision, converged: false, pending, result }, pending naming the instances still behind. " +
                "The change is made either way."))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status202Accepted, typeof(PendingAnswer), ["application/json"]));
}
