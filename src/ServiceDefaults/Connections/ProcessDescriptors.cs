using System.Globalization;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>This process's file descriptors as Linux shows them in <c>/proc/self</c>; unknown elsewhere.</summary>
public static class ProcessDescriptors
{
    /// <summary>The soft open-file limit of this process; null when unknown or unlimited.</summary>
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
            // not Linux, or no /proc
        }

        return null;
    }

    /// <summary>Descriptors open now (-1 when unknown). Lists a directory: for metrics at scrape time, not for a hot path.</summary>
    public static int Open()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
