using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Configs;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.Registry.Configs;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Changes;

/// <summary>Body of <c>POST /v1/registry/import</c>.</summary>
internal sealed record ImportRequest
{
    /// <summary>A name under <c>Admin:Environments</c> (<c>staging</c>).</summary>
    public string? Environment { get; init; }

    /// <summary>The revision of that environment's registry to import.</summary>
    public long? Revision { get; init; }
}

/// <summary>
/// <c>POST /v1/registry/import</c>: another environment's registry revision (staging ran the push first) becomes a proposal
/// here. Its clusters are read from that environment's Admin, their environment's values (destinations, Auto Scaling
/// groups, instance ids) mapped to this one's by <c>Admin:Environments:&lt;name&gt;</c>: a value with no mapping refuses the
/// import (422 <c>import_unmapped</c>), so production is never pointed at a staging server. A cluster's direct endpoints
/// and rollout are this environment's own and kept; pins stay; clusters only this registry has stay as they are. The
/// result is validated like any change and always proposed, whatever <c>Admin:Approvals:Required</c> says.
/// </summary>
internal static class RegistryImport
{
    /// <summary>The named client that reads other environments' Admins.</summary>
    public const string Client = "environments";

    /// <summary>Largest registry document read from another environment.</summary>
    public const int MaxDocumentBytes = 4 * 1024 * 1024;

    internal static async Task<Results<Ok<RegistryDocument>, ProblemHttpResult>> Import(
        JsonBody<ImportRequest> body, RegistryMutator mutator, IConfigStore configs, IHttpClientFactory clients,
        IOptionsMonitor<ChangeControlOptions> options, HttpContext http)
    {
        var request = body.Value;
        if (request.Environment is not { Length: > 0 } name || !options.CurrentValue.Environments.TryGetValue(name, out var link))
        {
            return Problems.Field("environment", options.CurrentValue.Environments.Count == 0
                ? "No environment is configured to import from (Admin:Environments)."
                : $"Must be one of {string.Join(", ", options.CurrentValue.Environments.Keys)}.");
        }

        if (request.Revision is not (> 0 and var revision))
        {
            return Problems.Field("revision", "Required: a revision of that environment's registry (1 or more).");
        }

        var (source, fetchProblem) = await FetchAsync(clients, link, name, revision, http.RequestAborted);
        if (source is null)
        {
            return fetchProblem!;
        }

        foreach (var version in source.Clusters.Select(c => c.ConfigVersion).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await ConfigTargets.RequireStoredAsync(configs, version, null, http.RequestAborted) is { } missing)
            {
                return missing;
            }
        }

        ChangeControl.ProposeOnly(http);
        var outcome = await mutator.ApplyAsync(http, current =>
        {
            var unmapped = new SortedSet<string>(StringComparer.Ordinal);
            var imported = source.Clusters.Select(c => Map(c, current.FindCluster(c.Id), link, unmapped)).ToList();
            if (unmapped.Count > 0)
            {
                return TypedResults.Problem(
                    detail: $"{name}'s values with no mapping under Admin:Environments:{name}: {string.Join("; ", unmapped)}. Nothing was proposed.",
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Values of the other environment have no mapping here.",
                    extensions: new Dictionary<string, object?> { ["code"] = "import_unmapped", ["unmapped"] = unmapped.ToArray() });
            }

            // This registry's clusters in their order, those the other environment has replaced by its; then its new ones.
            var byId = imported.ToDictionary(c => c.Id, StringComparer.Ordinal);
            var clusters = current.Clusters.Select(c => byId.GetValueOrDefault(c.Id, c)).ToList();
            clusters.AddRange(imported.Where(c => current.FindCluster(c.Id) is null));
            return Change.To(current with { Clusters = clusters }, "import", "registry",
                $"from {name} revision {revision.ToString(CultureInfo.InvariantCulture)}");
        });
        return outcome.Then(TypedResults.Ok);
    }

    /// <summary><paramref name="cluster"/> of the other environment, as this one would register it.</summary>
    private static ClusterDefinition Map(ClusterDefinition cluster, ClusterDefinition? here, EnvironmentLink link, SortedSet<string> unmapped)
    {
        string To(List<ValueMapping> table, string what, string value)
        {
            if (table.FirstOrDefault(m => string.Equals(m.From, value, StringComparison.Ordinal)) is { } found)
            {
                return found.To;
            }

            unmapped.Add($"{what} '{value}' of {cluster.Id}");
            return value;
        }

        if (cluster.Connect == ClusterConnect.Direct && here?.Endpoints is null)
        {
            unmapped.Add($"the direct endpoints of {cluster.Id} (register it here first: endpoints are this environment's own)");
        }

        return cluster with
        {
            Destinations = cluster.Destinations.ToDictionary(d => d.Key, d => To(link.Destinations, "destination", d.Value), StringComparer.Ordinal),
            AutoScalingGroup = cluster.AutoScalingGroup is { } group ? To(link.AutoScalingGroups, "Auto Scaling group", group) : null,
            Instances = cluster.Instances?.ToDictionary(i => i.Key, i => To(link.Instances, "instance", i.Value), StringComparer.Ordinal),
            Endpoints = here?.Endpoints ?? cluster.Endpoints,
            Rollout = here?.Rollout,
            LoginsStoppedRevision = null, // revisions are this registry's own; the commit stamps it
        };
    }

    private static async Task<(RegistryDocument? Document, ProblemHttpResult? Problem)> FetchAsync(
        IHttpClientFactory clients, EnvironmentLink link, string name, long revision, CancellationToken cancellationToken)
    {
        ProblemHttpResult Unreachable(string why) => Problems.Code(StatusCodes.Status502BadGateway, "environment_unreachable",
            $"The {name} Admin could not be read.", $"GET revision {revision.ToString(CultureInfo.InvariantCulture)} from {name}: {why}. Nothing was proposed.");

        try
        {
            using var client = clients.CreateClient(Client);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(link.AdminUrl), $"/v1/registry/revisions/{revision.ToString(CultureInfo.InvariantCulture)}"));
            request.Headers.Add("X-Api-Key", link.ApiKey);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return (null, Problems.Code(StatusCodes.Status404NotFound, "revision_not_found", "No such revision there.",
                    $"{name}'s registry keeps no revision {revision.ToString(CultureInfo.InvariantCulture)}."));
            }

            if (!response.IsSuccessStatusCode)
            {
                return (null, Unreachable($"it answered {(int)response.StatusCode}"));
            }

            if (response.Content.Headers.ContentLength > MaxDocumentBytes)
            {
                return (null, Unreachable($"the document is larger than {MaxDocumentBytes} bytes"));
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return bytes.Length > MaxDocumentBytes
                ? (null, Unreachable($"the document is larger than {MaxDocumentBytes} bytes"))
                : (JsonSerializer.Deserialize<RegistryDocument>(bytes, RegistryJson.Options), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return (null, Unreachable(ex.Message));
        }
    }
}
