using System.Security.Cryptography;
using System.Text;
using RedWhite.Client.Transport;

namespace RedWhite.Client;

/// <summary>
/// Configs by version: a content address (<c>sha256-</c> and 64 lowercase hex digits) names its bytes for ever, so a
/// version held in the cache is never downloaded again, and downloaded bytes are used only if they hash to it.
/// </summary>
internal sealed class ConfigStore(IHttpTransport http, RedWhiteClientOptions options, Backoff backoff)
{
    private readonly Dictionary<string, byte[]> memory = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim gate = new(1, 1);
    private int downloads;

    public int Downloads => Volatile.Read(ref downloads);

    public async Task<byte[]> GetAsync(string version, CancellationToken cancellationToken)
    {
        if (!IsAddress(version))
        {
            throw new ArgumentException("A config version is sha256- followed by 64 lowercase hex digits.", nameof(version));
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (memory.TryGetValue(version, out var held))
            {
                return held;
            }

            if (CachePath(version) is { } path && File.Exists(path))
            {
                var cached = File.ReadAllBytes(path);
                if (Address(cached) == version)
                {
                    memory[version] = cached;
                    return cached;
                }

                File.Delete(path); // damaged on disk: download it again
            }

            var bytes = await DownloadAsync(version, cancellationToken).ConfigureAwait(false);
            var actual = Address(bytes);
            if (actual != version)
            {
                throw new RedWhiteConfigIntegrityException(version, actual);
            }

            Interlocked.Increment(ref downloads);
            memory[version] = bytes;
            if (CachePath(version) is { } target)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var temporary = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
                File.WriteAllBytes(temporary, bytes);
                if (File.Exists(target))
                {
                    File.Delete(temporary);
                }
                else
                {
                    File.Move(temporary, target); // whole or not at all
                }
            }

            return bytes;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<byte[]> DownloadAsync(string version, CancellationToken cancellationToken)
    {
        var uri = new Uri(options.ConfigUri ?? options.DiscoveryUri!, "v1/configs/" + version);
        for (var attempt = 0; ; attempt++)
        {
            var last = attempt + 1 >= options.Retry.MaxAttempts;
            try
            {
                var response = await http.SendAsync(new TransportRequest("GET", uri), cancellationToken).ConfigureAwait(false);
                if (response.Status == 200)
                {
                    return response.Body;
                }

                var problem = ClientJson.ReadProblem(response.Body);
                if (response.Status is not (408 or 429 or >= 500) || last)
                {
                    throw new RedWhiteRequestFailedException(response.Status, problem?.Code, $"Config {version} could not be downloaded: {problem?.Detail ?? problem?.Title ?? response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                }

                await options.Delay(backoff.Delay(attempt, Backoff.ServerAsked(response.Headers, problem?.RetryAfterSeconds)), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (last)
                {
                    throw new RedWhiteRequestFailedException(0, null, $"Config {version} could not be downloaded: {ex.Message}", ex);
                }

                await options.Delay(backoff.Delay(attempt, null), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private string? CachePath(string version) =>
        options.ConfigCacheDirectory is { Length: > 0 } directory ? Path.Combine(directory, version + ".json") : null;

    internal static string Address(byte[] bytes)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(bytes);
        var text = new StringBuilder("sha256-", 71);
        foreach (var b in hash)
        {
            text.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static bool IsAddress(string? version)
    {
        if (version is not { Length: 71 } || !version.StartsWith("sha256-", StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 7; i < version.Length; i++)
        {
            var c = version[i];
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
