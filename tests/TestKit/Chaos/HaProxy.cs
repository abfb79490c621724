using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RedWhite.TestKit.Chaos;

/// <summary>One service's instances behind one HAProxy frontend, health-checked on <paramref name="HealthPath"/>.</summary>
/// <param name="Name">The frontend's name: <c>gateway</c>, <c>discovery</c>, <c>admin</c>.</param>
/// <param name="HealthPath">What HAProxy checks each instance on, as a studio's load balancer would (<c>/_rw/readyz</c>, <c>/readyz</c>).</param>
/// <param name="Instances">The instances' base URLs on loopback, by name.</param>
public sealed record Balanced(string Name, string HealthPath, IReadOnlyDictionary<string, string> Instances);

/// <summary>
/// Debian's <c>haproxy</c> in front of the services, on free loopback ports, configured as a studio would run it: HTTP
/// mode (WebSockets pass as tunnels), an instance taken out after three failed checks half a second apart (a check fails
/// when refused, or unanswered for 2 s) and back after two good ones, and a request whose connection to an instance
/// failed tried once more on another.
/// </summary>
public sealed class HaProxy : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;
    private readonly string directory;

    private HaProxy(Process process, StringBuilder output, string directory, IReadOnlyDictionary<string, int> ports)
    {
        this.process = process;
        this.output = output;
        this.directory = directory;
        Ports = ports;
    }

    /// <summary>Each frontend's port, by its name.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; }

    /// <summary>A frontend's base URL: <c>http://127.0.0.1:port</c>.</summary>
    public string Url(string frontend) => $"http://127.0.0.1:{Ports[frontend].ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts HAProxy with a frontend per service and waits until each frontend has an instance up.</summary>
    public static async Task<HaProxy> StartAsync(IEnumerable<Balanced> services)
    {
        var executable = new[] { "/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("haproxy is not installed: `apt-get install -y haproxy` (.ci/run does this).");
        var directory = Path.Combine(Path.GetTempPath(), "rw-haproxy", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var list = services.ToList();
        var ports = list.ToDictionary(s => s.Name, _ => RedisServer.FreePort(), StringComparer.Ordinal);
        var config = new StringBuilder()
            .AppendLine("global")
            .AppendLine("  maxconn 8000") // two descriptors each: within a 20,000-descriptor limit
            .AppendLine("defaults")
            .AppendLine("  mode http")
            .AppendLine("  timeout connect 2s")
            .AppendLine("  timeout client 60s")
            .AppendLine("  timeout server 60s")
            .AppendLine("  timeout tunnel 1h")
            .AppendLine("  option redispatch")
            .AppendLine("  retries 2")
            .AppendLine("  retry-on conn-failure empty-response")
            .AppendLine("  timeout check 2s") // a busy instance may take a moment to answer its check: only no answer for 2 s fails it
            .AppendLine("  default-server inter 500ms fall 3 rise 2");
        foreach (var service in list)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"frontend {service.Name}")
                .AppendLine(CultureInfo.InvariantCulture, $"  bind 127.0.0.1:{ports[service.Name]}")
                .AppendLine(CultureInfo.InvariantCulture, $"  default_backend {service.Name}-instances")
                .AppendLine(CultureInfo.InvariantCulture, $"backend {service.Name}-instances")
                .AppendLine("  balance roundrobin")
                .AppendLine(CultureInfo.InvariantCulture, $"  option httpchk GET {service.HealthPath}")
                .AppendLine("  http-check expect status 200");
            foreach (var (name, url) in service.Instances)
            {
                var address = new Uri(url);
                config.AppendLine(CultureInfo.InvariantCulture, $"  server {name} 127.0.0.1:{address.Port} check");
            }
        }

        var file = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(file, config.ToString());
        var info = new ProcessStartInfo(executable) { ArgumentList = { "-db", "-f", file }, RedirectStandardOutput = true, RedirectStandardError = true };
        var output = new StringBuilder();
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start haproxy.");
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var proxy = new HaProxy(process, output, directory, ports);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            foreach (var service in list)
            {
                await Eventually.TrueAsync(async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"haproxy exited with {process.ExitCode}: {proxy.Output}");
                    }

                    try
                    {
                        using var answer = await http.GetAsync(proxy.Url(service.Name) + service.HealthPath);
                        return answer.IsSuccessStatusCode;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                }, $"haproxy's {service.Name} frontend to reach a ready instance", TimeSpan.FromSeconds(20));
            }

            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    /// <summary>What haproxy printed (its warnings and state changes).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // the OS cleans the temp folder
        }
    }
}
