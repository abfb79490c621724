using System.Security.Cryptography;
using System.Text;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Files;
using RedWhite.Registry.Redis;

namespace RedWhite.Registry.Convergence;

/// <summary>
/// Where Gateways and Discoveries say which registry revision they route from, and where Admin reads it. Every call may
/// throw <see cref="RegistryStoreUnavailableException"/>.
/// </summary>
public interface IInstanceStore
{
    /// <summary>Keeps <paramref name="report"/> as its instance's latest.</summary>
    Task ReportAsync(InstanceReport report, CancellationToken cancellationToken);

    /// <summary>
    /// Every instance's latest report; reports older than <paramref name="forgetBefore"/> are dropped from the store as they
    /// are read (an instance gone for good leaves nothing behind).
    /// </summary>
    Task<IReadOnlyList<InstanceReport>> ReadAsync(DateTimeOffset forgetBefore, CancellationToken cancellationToken);
}

/// <summary>One file per instance in <c>instances/</c> of the data directory, named by a hash of the instance's name.</summary>
internal sealed class FileInstanceStore(string dataDirectory) : IInstanceStore
{
    private readonly string folder = Path.Combine(Path.GetFullPath(dataDirectory), "instances");

    public async Task ReportAsync(InstanceReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        try
        {
            await AtomicFile.WriteAsync(Path.Combine(folder, FileName(report.Instance)), report.ToJson(), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreUnavailableException($"Could not write the instance report: {ex.Message}", ex);
        }
    }

    public async Task<IReadOnlyList<InstanceReport>> ReadAsync(DateTimeOffset forgetBefore, CancellationToken cancellationToken)
    {
        var reports = new List<InstanceReport>();
        if (!Directory.Exists(folder))
        {
            return reports;
        }

        try
        {
            foreach (var path in Directory.EnumerateFiles(folder, "*.json"))
            {
                byte[] bytes;
                try
                {
                    bytes = await File.ReadAllBytesAsync(path, cancellationToken);
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                    continue; // removed meanwhile
                }

                if (InstanceReport.Parse(bytes) is not { } report)
                {
                    continue;
                }

                if (report.At < forgetBefore)
                {
                    File.Delete(path);
                    continue;
                }

                reports.Add(report);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreUnavailableException($"Could not read the instance reports: {ex.Message}", ex);
        }

        return reports;
    }

    // An instance name is whatever its operator set: hashed, so no name can make a path of its own.
    private static string FileName(string instance) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(instance)))[..32] + ".json";
}

/// <summary>One hash on Redis, a field per instance.</summary>
internal sealed class RedisInstanceStore(RedisConnection connection, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix) : IInstanceStore
{
    private readonly string key = keyPrefix + "instances";

    public Task ReportAsync(InstanceReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        return connection.RunAsync("report the instance's revision", db => db.HashSetAsync(key, report.Instance, report.ToJson()), cancellationToken);
    }

    public async Task<IReadOnlyList<InstanceReport>> ReadAsync(DateTimeOffset forgetBefore, CancellationToken cancellationToken)
    {
        var entries = await connection.RunAsync("read the instances' revisions", db => db.HashGetAllAsync(key), cancellationToken);
        var reports = new List<InstanceReport>(entries.Length);
        var forget = new List<StackExchange.Redis.RedisValue>();
        foreach (var entry in entries)
        {
            if (InstanceReport.Parse((byte[])entry.Value!) is { } report && report.At >= forgetBefore)
            {
                reports.Add(report);
            }
            else
            {
                forget.Add(entry.Name);
            }
        }

        if (forget.Count > 0)
        {
            await connection.RunAsync("forget instances gone", db => db.HashDeleteAsync(key, [.. forget]), cancellationToken);
        }

        return reports;
    }
}
