using System.Security.Cryptography;
using System.Text;
using RedWhite.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on mutations: the first request with a key runs and its answer is recorded;
/// a repeat (same API key name, same key, same method, path and body) gets that answer again without
/// running; a different request under a used key is refused 422. Only answers that changed something or
/// read something (below 400) are recorded: a refusal (4xx) changed nothing, so its repeat simply runs again,
/// and refused calls with fresh keys cost no memory (they used to be kept 24 hours each); a failure (5xx)
/// leaves room for a repeat after an outage to apply. Runs after authorization, so the caller is known. On a shared
/// store (Redis) the records are shared by every Admin instance (<see cref="SharedIdempotency"/>).
/// </summary>
internal sealed class IdempotencyMiddleware(
    RequestDelegate next, IdempotencyCache cache, SharedIdempotency shared, ILogger<IdempotencyMiddleware> logger)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 255;

    private static bool IsDryRun(HttpRequest request) => Mutations.DryRun.TryRead(request, out var requested, out _) && requested;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IdempotentMutation>() is null ||
            HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ||
            IsDryRun(context.Request) || // a preview changes nothing: nothing to record or replay
            !context.Request.Headers.TryGetValue(Header, out var values) ||
            context.User.Identity?.Name is not { } actor)
        {
            await next(context);
            return;
        }

        if (values.Count != 1 || !IsValidKey(values[0]))
        {
            await Problems.Field(Header, $"Must be one value of 1-{MaxKeyLength} printable ASCII characters.").ExecuteAsync(context);
            return;
        }

        var key = values[0]!;
        if (await FingerprintAsync(context) is not { } fingerprint)
        {
            await next(context); // too large to be accepted at all, so nothing will be applied
            return;
        }

        using var slot = await cache.EnterAsync(actor, key, context.RequestAborted);
        var claimed = false;
        if (slot.Record is null && shared.Enabled)
        {
            try
            {
                (claimed, var elsewhere) = await shared.BeginAsync(actor, key, context.RequestAborted);
                if (elsewhere is not null)
                {
                    slot.Save(elsewhere);
                }
                else if (!claimed)
                {
                    await Problems.Code(StatusCodes.Status409Conflict, "idempotency_key_in_progress",
                        "A request with this Idempotency-Key is still running.", "Retry shortly: it will get that request's answer.").ExecuteAsync(context);
                    return;
                }
            }
            catch (RegistryStoreUnavailableException ex)
            {
                await AdminProblems.StoreUnavailable(ex.Message).ExecuteAsync(context);
                return;
            }
        }

        if (slot.Record is { } record)
        {
            if (!CryptographicOperations.FixedTimeEquals(record.Fingerprint, fingerprint))
            {
                Log.IdempotencyKeyReused(logger, key, actor);
                await Problems.Code(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused",
                    "The Idempotency-Key was used for a different request.",
                    "Send a new key for a new change; a key repeats only the same method, path and body.").ExecuteAsync(context);
                return;
            }

            Log.IdempotentReplay(logger, key, actor, record.Status);
            await ReplayAsync(context, record);
            return;
        }

        var response = context.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = original;
        }

        if (response.StatusCode < StatusCodes.Status400BadRequest)
        {
            var answer = new IdempotencyRecord(
                fingerprint, response.StatusCode, response.ContentType, response.Headers.ETag, response.Headers.Location,
                buffer.ToArray(), slot.ExpiresFromNow());
            slot.Save(answer);
            if (claimed)
            {
                await shared.CompleteAsync(actor, key, answer, IdempotencyCache.Retention);
            }
        }
        else if (claimed)
        {
            await shared.AbandonAsync(actor, key);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static bool IsValidKey(string? key) =>
        key is { Length: > 0 and <= MaxKeyLength } && key.All(c => c is >= '\x21' and <= '\x7E');

    /// <summary>SHA-256 of method, path and body; <c>null</c> when the body is over the limit any endpoint accepts.</summary>
    private static async Task<byte[]?> FingerprintAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > JsonBody<object>.MaxBytes)
        {
            return null;
        }

        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.PathBase}{request.Path}{request.QueryString}\n"));
        var chunk = new byte[8192];
        long total = 0;
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            total += read;
            if (total > JsonBody<object>.MaxBytes)
            {
                request.Body.Position = 0;
                return null;
            }

            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return hash.GetHashAndReset();
    }

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord record)
    {
        var response = context.Response;
        response.StatusCode = record.Status;
        response.ContentType = record.ContentType;
        if (record.ETag is { Length: > 0 } etag)
        {
            response.Headers.ETag = etag;
        }

        if (record.Location is { Length: > 0 } location)
        {
            response.Headers.Location = location;
        }

        response.Headers[ReplayedHeader] = "true";
        if (record.Body.Length > 0)
        {
            await response.Body.WriteAsync(record.Body, context.RequestAborted);
        }
    }
}
