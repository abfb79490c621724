using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Changes;
using RedWhite.Admin.Convergence;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Limits;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.Core.Validation;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Pins;

/// <summary><c>/v1/pins/{deviceId}</c>: QA pins a test device to a cluster, and unpins it (QA and release managers).</summary>
internal static class PinEndpoints
{
    public static RouteGroupBuilder MapPins(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/pins").WithTags("Pins")
            .RequireAuthorization(AdminPolicies.Pin).WithDryRun().WithChangeControl().WithConvergence().AddEndpointFilter<JsonBodyFilter>().WithIdempotency();
        group.MapPut("/{deviceId}", Pin).RefusesBadBodies().Refuses(StatusCodes.Status400BadRequest, "validation_failed");
        group.MapDelete("/{deviceId}", Unpin).Refuses(StatusCodes.Status404NotFound, "pin_not_found");
        return group;
    }

    internal static async Task<Results<Ok<DevicePin>, ProblemHttpResult>> Pin(
        string deviceId, JsonBody<PinRequest> body, RegistryMutator mutator, TimeProvider time, IOptions<AdminLimitsOptions> limits, HttpContext http)
    {
        deviceId = DeviceIdOf(http, deviceId);
        var request = body.Value;
        var now = time.GetUtcNow();
        var invalid = new PinRequestValidator(now, limits.Value.MaxPinLifetime).Validate(request);
        var errors = invalid.ToDictionary();
        if (!Rules.IsToken(deviceId))
        {
            errors["deviceId"] = [Rules.TokenMessage];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var pin = new DevicePin { DeviceId = deviceId, ClusterId = request.ClusterId, Expires = request.Expires };
        var outcome = await mutator.ApplyAsync(http, current =>
        {
            // Pinning to a cluster that is gone or retired would silently route the device nowhere.
            var cluster = current.FindCluster(pin.ClusterId);
            if (cluster is null || !ClusterLifecycle.AcceptsPins(cluster.State))
            {
                return Problems.Field("clusterId", cluster is null
                    ? $"No cluster '{pin.ClusterId}' in the registry."
                    : $"Cluster '{pin.ClusterId}' is retired; pin to a canary or active cluster.");
            }

            // Expired pins route nobody: each pin write clears them out, so only live pins count toward the limit.
            var others = current.Pins.Where(p => p.DeviceId != deviceId && p.IsLiveAt(now)).ToList();
            if (others.Count >= limits.Value.MaxPins)
            {
                return Problems.Field("pins", $"The registry holds {others.Count} live pins, the most Admin:MaxPins allows; unpin a device first.");
            }

            return Change.To(current with { Pins = [.. others, pin] }, "pin", deviceId, $"to {pin.ClusterId} until {pin.Expires!.Value.UtcDateTime:O}");
        });
        return outcome.Then(_ => TypedResults.Ok(pin));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> Unpin(string deviceId, RegistryMutator mutator, HttpContext http)
    {
        deviceId = DeviceIdOf(http, deviceId);
        var outcome = await mutator.ApplyAsync(http, current =>
        {
            if (current.Pins.FirstOrDefault(p => p.DeviceId == deviceId) is not { } pin)
            {
                return AdminProblems.PinNotFound(deviceId);
            }

            return Change.To(current with { Pins = [.. current.Pins.Where(p => p.DeviceId != deviceId)] }, "unpin", deviceId, $"was {pin.ClusterId}");
        });
        return outcome.Then(_ => TypedResults.NoContent());
    }

    /// <summary>
    /// The device id as the client encoded it in the path's last segment. A device id may hold any printable character,
    /// '/' included (sent as <c>%2F</c>); the server decodes every escape but <c>%2F</c> before routing, so the id is
    /// read from the raw request target instead, where <c>%2F</c> (a slash) and <c>%252F</c> (the text "%2F") differ.
    /// </summary>
    private static string DeviceIdOf(HttpContext http, string routed)
    {
        var raw = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return routed;
        }

        var path = raw.AsSpan();
        var query = path.IndexOf('?');
        path = query >= 0 ? path[..query] : path;
        var last = path.LastIndexOf('/');
        try
        {
            return last >= 0 ? Uri.UnescapeDataString(path[(last + 1)..].ToString()) : routed;
        }
        catch (UriFormatException)
        {
            return routed;
        }
    }
}
