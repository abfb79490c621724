using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Auth;
using RedWhite.Core.Players;
using RedWhite.Core.Validation;
using RedWhite.Registry;
using RedWhite.Registry.Players;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Players;

/// <summary>Answer of <c>GET /v1/players/history</c>.</summary>
/// <param name="Since">The start of the range asked for.</param>
/// <param name="Points">Points in time order (per cluster at each report interval).</param>
/// <param name="Truncated">Whether more points matched than one answer carries (<see cref="PlayerHistory.MaxPoints"/>): ask again from the last one.</param>
internal sealed record PlayerHistoryAnswer(DateTimeOffset Since, IReadOnlyList<PlayerPoint> Points, bool Truncated);

/// <summary><c>/v1/players</c>: the players and connections of each cluster over time (every role).</summary>
internal static class PlayerEndpoints
{
    public static RouteGroupBuilder MapPlayers(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/players").WithTags("Players").RequireAuthorization(AdminPolicies.Read);
        group.MapGet("/history", History);
        return group;
    }

    internal static async Task<Results<Ok<PlayerHistoryAnswer>, ProblemHttpResult>> History(
        string? since, string? cluster, IPlayerStore players, TimeProvider time, HttpContext http)
    {
        var errors = new Dictionary<string, string[]>();
        var from = time.GetUtcNow() - TimeSpan.FromHours(1);
        if (since is not null && !DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out from))
        {
            errors["since"] = ["Must be an ISO 8601 time such as 2026-11-30T12:00:00Z."];
        }

        if (cluster is not null && !Rules.IsClusterId(cluster))
        {
            errors["cluster"] = [Rules.ClusterIdMessage];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        try
        {
            var points = await players.ReadHistoryAsync(from, cluster, PlayerHistory.MaxPoints + 1, http.RequestAborted);
            return TypedResults.Ok(new PlayerHistoryAnswer(from, [.. points.Take(PlayerHistory.MaxPoints)], points.Count > PlayerHistory.MaxPoints));
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }
}
