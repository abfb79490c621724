using Microsoft.Extensions.DependencyInjection.Extensions;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Idempotency;

/// <summary>Wiring of <c>Idempotency-Key</c> support.</summary>
internal static class IdempotencyExtensions
{
    public static IHostApplicationBuilder AddIdempotency(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IdempotencyCache>();
        builder.Services.TryAddSingleton<SharedIdempotency>();
        return builder;
    }

    /// <summary>Put after authorization: records are kept per API key name.</summary>
    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) => app.UseMiddleware<IdempotencyMiddleware>();

    /// <summary>Marks the endpoints of a group as honouring <c>Idempotency-Key</c>.</summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(IdempotentMutation.Instance)
            .Refuses(StatusCodes.Status409Conflict, "idempotency_key_in_progress", "write_conflict")
            .Refuses(StatusCodes.Status412PreconditionFailed, "precondition_failed")
            .Refuses(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused");
}
