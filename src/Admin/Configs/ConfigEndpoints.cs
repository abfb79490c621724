using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Auth;
using RedWhite.Core.Configs;
using RedWhite.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Monitoring;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Configs;

/// <summary>Answer of <c>PUT /v1/configs</c>.</summary>
/// <param name="Version">The content address: <c>sha256-</c> and the hex SHA-256 of the canonical bytes.</param>
/// <param name="Size">Bytes of the canonical form.</param>
internal sealed record PublishedConfig(string Version, long Size);

/// <summary>Answer of <c>PUT /v1/configs?dryRun=true</c>: what would be stored, nothing stored.</summary>
/// <param name="DryRun">Always true, so the answer cannot be mistaken for a publication.</param>
/// <param name="Version">The content address the config would be stored under.</param>
/// <param name="Size">Bytes of its canonical form.</param>
/// <param name="Exists">Whether that version is stored already (publishing it would change nothing).</param>
internal sealed record ConfigPreview(bool DryRun, string Version, long Size, bool Exists);

/// <summary>One entry of <c>GET /v1/configs</c>.</summary>
internal sealed record ConfigListEntry(string Version, long Size, DateTimeOffset PublishedAt, string PublishedBy, IReadOnlyList<string> Clusters);

/// <summary><c>/v1/configs</c>: publish immutable, content-addressed configs (release managers) and list them (every role).</summary>
internal static class ConfigEndpoints
{
    public static RouteGroupBuilder MapConfigs(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/configs").WithTags("Configs").RequireAuthorization(AdminPolicies.Read);
        group.MapGet("", List);
        group.MapPut("", Publish).RequireAuthorization(AdminPolicies.Release)
            .Accepts<System.Text.Json.Nodes.JsonObject>("application/json")
            .Produces<PublishedConfig>(StatusCodes.Status201Created).Produces<PublishedConfig>(StatusCodes.Status200OK)
            .WithMetadata(new QueryFlag(Mutations.DryRun.Parameter,
                "true: check and address the config exactly as publishing would, store nothing, and answer 200 { dryRun, version, size, exists }."))
            .Refuses(StatusCodes.Status400BadRequest, "config_not_object", "config_malformed", "config_duplicate_member", "validation_failed")
            .Refuses(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "body_too_large").Refuses(StatusCodes.Status408RequestTimeout, "request_timeout");
        return group;
    }

    internal static async Task<Results<JsonHttpResult<PublishedConfig>, Ok<ConfigPreview>, ProblemHttpResult>> Publish(
        HttpContext http, IConfigStore store, IOptions<ConfigOptions> options, TimeProvider time)
    {
        if (!Mutations.DryRun.TryRead(http.Request, out var dryRun, out var badFlag))
        {
            return badFlag!;
        }

        if (!http.Request.HasJsonContentType())
        {
            return Problems.Code(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "A config is sent as application/json.",
                "Send the config with Content-Type: application/json.");
        }

        var limit = options.Value.MaxBytes;
        var body = await ReadCappedAsync(http.Request.Body, limit, http.RequestAborted);
        if (body is null)
        {
            return Problems.Code(StatusCodes.Status413PayloadTooLarge, "body_too_large", "The config is too large.",
                $"A config may be at most {limit} bytes (Configs:MaxBytes).");
        }

        if (CanonicalJson.TryCanonicalize(body, out var problem, out var detail) is not { } canonical)
        {
            var code = problem switch
            {
                CanonicalJsonProblem.NotAnObject => "config_not_object",
                CanonicalJsonProblem.DuplicateMember => "config_duplicate_member",
                _ => "config_malformed",
            };
            return Problems.Code(StatusCodes.Status400BadRequest, code, "The config is not a JSON object that can be stored.", detail);
        }

        var version = CanonicalJson.Address(canonical);
        var actor = http.User.Identity?.Name ?? "unknown";
        try
        {
            if (dryRun)
            {
                return TypedResults.Ok(new ConfigPreview(true, version, canonical.Length, await store.ExistsAsync(version, http.RequestAborted)));
            }

            var stored = await store.SaveAsync(new ConfigInfo(version, canonical.Length, time.GetUtcNow(), actor), canonical, CancellationToken.None);
            Log.ConfigPublished(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("RedWhite.Admin.Configs"), version, canonical.Length, actor, stored);
            return TypedResults.Json(new PublishedConfig(version, canonical.Length), statusCode: stored ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }

    internal static async Task<Results<Ok<IReadOnlyList<ConfigListEntry>>, ProblemHttpResult>> List(IConfigStore store, RegistryMonitor registry, HttpContext http)
    {
        try
        {
            var clusters = registry.Current.Document.Clusters;
            var configs = await store.ListAsync(http.RequestAborted);
            IReadOnlyList<ConfigListEntry> list = [.. configs.Select(c => new ConfigListEntry(
                c.Version, c.Size, c.PublishedAt, c.PublishedBy, [.. clusters.Where(k => k.ConfigVersion == c.Version).Select(k => k.Id)]))];
            return TypedResults.Ok(list);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }

    /// <summary>The body, or null when it is longer than <paramref name="limit"/> (read no further than one byte past it).</summary>
    private static async Task<byte[]?> ReadCappedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
