using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// <c>/readyz</c> from the host's health checks: each service part that holds readiness back (the registry not
/// loaded, a warm-up not over) contributes a check tagged <see cref="ReadyTag"/>, registered in the order their
/// reasons should be reported.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>The tag of the checks <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    internal static async Task<IResult> ReadyAsync(HealthCheckService checks, ShutdownState shutdown, CancellationToken cancellationToken)
    {
        if (shutdown.Stopping)
        {
            return Results.Json(new { status = "stopping" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var report = await checks.CheckHealthAsync(r => r.Tags.Contains(ReadyTag), cancellationToken);
        var body = new Dictionary<string, object?> { ["status"] = "ready" };
        string? failing = null;
        foreach (var entry in report.Entries.Values)
        {
            if (entry.Status != HealthStatus.Healthy)
            {
                failing ??= entry.Description ?? "not-ready";
            }

            foreach (var (key, value) in entry.Data)
            {
                body[key] = value;
            }
        }

        body["status"] = failing ?? "ready";
        return failing is null ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
