using System.Diagnostics;
using System.Globalization;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>CPU time spent by the server under measurement, split into user and kernel time.</summary>
/// <remarks>
/// Requests/s on a shared 2-core machine drift by ±10% between runs; CPU time per request of the
/// process that serves them is steadier, and the user/kernel split shows whose cost it is: the kernel
/// side (loopback TCP, epoll) is the same for every proxy, the user side is the proxy's own code.
/// </remarks>
internal sealed class CpuMeter(Func<IEnumerable<int>> processes)
{
    /// <summary>The process itself.</summary>
    public static CpuMeter Of(ServiceProcess service) => new(() => [service.Pid]);

    /// <summary>The process and its children: nginx's master and its workers.</summary>
    public static CpuMeter WithChildren(ServiceProcess service) => new(() => [service.Pid, .. ChildrenOf(service.Pid)]);

    public CpuSample Read()
    {
        TimeSpan user = TimeSpan.Zero, kernel = TimeSpan.Zero;
        foreach (var pid in processes())
        {
            using var process = Process.GetProcessById(pid);
            user += process.UserProcessorTime;
            kernel += process.PrivilegedProcessorTime;
        }

        return new(user, kernel);
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // the process ended between listing and reading
            }

            // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                yield return pid;
            }
        }
    }
}

/// <summary>Cumulative CPU time of a server's processes at one moment.</summary>
internal readonly record struct CpuSample(TimeSpan User, TimeSpan Kernel)
{
    public static CpuSample operator -(CpuSample after, CpuSample before) => new(after.User - before.User, after.Kernel - before.Kernel);
}
