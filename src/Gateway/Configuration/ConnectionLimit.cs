using System.Globalization;

namespace RedWhite.Gateway.Configuration;

/// <summary>
/// How many client connections the Gateway accepts at once. Each proxied connection holds two file
/// descriptors (the client's and the game server's); a process that runs out of them cannot open a socket,
/// a file or even new code pages, and the runtime may end it. So unless <c>Gateway:MaxConnections</c> says
/// otherwise, the limit is half the process's open-file limit less a reserve for everything else: past it,
/// new connections are refused and the ones open carry on.
/// </summary>
internal static class ConnectionLimit
{
    /// <summary>Descriptors kept for the rest of the process: registry and report files, health probes, logs, the runtime.</summary>
    public const int Reserve = 256;

    /// <summary>The limit for <paramref name="configured"/> (0 or less: none), else derived from the open-file limit; null when unlimited.</summary>
    public static long? Resolve(long? configured, long? openFileLimit)
    {
        if (configured is { } set)
        {
            return set > 0 ? set : null;
        }

        return openFileLimit is { } files and > 2 * Reserve ? (files - Reserve) / 2 : null;
    }

    /// <summary>The soft open-file limit of this process (Linux: <c>/proc/self/limits</c>); null when unknown or unlimited.</summary>
    public static long? OpenFileLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // not Linux, or no /proc: leave Kestrel's default
        }

        return null;
    }
}
