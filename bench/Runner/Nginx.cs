using RedWhite.TestKit.Processes;
namespace RedWhite.Runner;

/// <summary>Debian's nginx as a reverse proxy to the benchmark upstream, from bench/nginx/nginx.conf.template.</summary>
internal static class Nginx
{
    public static async Task<ServiceProcess> StartAsync(BenchStack stack, int upstreamPort)
    {
        var prefix = Path.Combine(stack.Work, "nginx");
        Directory.CreateDirectory(prefix);
        var port = ServiceProcess.FreePort();
        var config = File.ReadAllText(Path.Combine(stack.Root, "bench", "nginx", "nginx.conf.template"))
            .Replace("__PREFIX__", prefix, StringComparison.Ordinal)
            .Replace("__UPSTREAM_PORT__", upstreamPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("__PORT__", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var file = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(file, config);
        var nginx = ServiceProcess.Start("nginx", "nginx", ["-p", prefix, "-c", file, "-g", "daemon off;"], prefix, stack.Work, port);
        await nginx.WaitReadyAsync("/healthz");
        return nginx;
    }
}
