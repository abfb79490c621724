using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using RedWhite.Admin.History;
using RedWhite.Registry;
using RedWhite.Registry.Convergence;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Mutations;

/// <summary>
/// Endpoint filter on every registry mutation: its answer carries <c>converged</c>, whether every live Gateway and
/// Discovery already routes from the revision it wrote; with <c>?wait=converged</c> the answer waits for that, up to
/// <c>Convergence:MaxWait</c>, and is 202 with <c>pending</c> (the instances still behind) when the wait runs out. The
/// change stands either way: waiting only decides when the caller hears of it.
/// </summary>
internal sealed class ConvergenceFilter(ConvergenceReader convergence, IOptions<JsonOptions> json) : IEndpointFilter
{
    public const string Parameter = "wait";
    public const string Converged = "converged";

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
        if (DryRun.Of(http) is not null || answer is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK } ||
            answer is not IValueHttpResult { Value: { } value } || !IfMatch.TryParseETag(http.Response.Headers.ETag, out var revision))
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

        var options = json.Value.SerializerOptions;
        if (JsonSerializer.SerializeToNode(value, value.GetType(), options) is not JsonObject body)
        {
            return result;
        }

        body[Converged] = state.Reached;
        if (!wait || state.Reached)
        {
            return TypedResults.Json(body, options);
        }

        body["pending"] = JsonSerializer.SerializeToNode(ConvergenceResponse.Of(state).Instances.Where(i => !i.Current).ToList(), options);
        return TypedResults.Json(body, options, statusCode: StatusCodes.Status202Accepted);
    }
}

/// <summary>Registration of <see cref="ConvergenceFilter"/>.</summary>
internal static class ConvergenceExtensions
{
    public static TBuilder WithConvergence<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, ConvergenceFilter>()
            .WithMetadata(new QueryFlag(ConvergenceFilter.Parameter,
                "converged: answer once every live Gateway and Discovery routes from the revision written (the answer's converged is " +
                "then true), or after Convergence:MaxWait with 202 and pending, the instances still behind. The change is made either way."))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status202Accepted, typeof(JsonObject), ["application/json"]));
}
