using System.Text.Json;
using System.Text.RegularExpressions;
using RedWhite.Core.Registry;
using RedWhite.Core.Validation;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace RedWhite.Deployment.Tests;

/// <summary>
/// What can be checked of infra/ without a container engine or a cluster: every path a Dockerfile copies exists and
/// its restore and publish commands succeed here; compose and the Kubernetes manifests parse and agree with the
/// services (health paths, shutdown timing, non-root, read-only root); the systemd units are sandboxed.
/// </summary>
public sealed partial class DeploymentFilesTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, (string Project, string Ready, string Alive)> Services = new()
    {
        ["gateway"] = ("src/Gateway/Gateway.csproj", "/_rw/readyz", "/_rw/healthz"),
        ["discovery"] = ("src/Discovery/Discovery.csproj", "/readyz", "/healthz"),
        ["admin"] = ("src/Admin/Admin.csproj", "/readyz", "/healthz"),
    };

    public static TheoryData<string> Dockerfiles() =>
        [.. Directory.GetFiles(Repository.File("infra/docker"), "*.Dockerfile").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public async Task Dockerfile_CopiesOnlyWhatExists_AndItsRestoreAndPublishSucceedHere(string name)
    {
        var lines = Joined(File.ReadAllLines(Path.Combine(Repository.File("infra/docker"), name)));
        // Build and final stages; Admin's has a Node stage before them that bundles its dashboard.
        var nodeStage = lines.Any(l => l.StartsWith("FROM node:", StringComparison.Ordinal));
        Assert.Equal(nodeStage ? 3 : 2, lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l == "USER $APP_UID");

        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1];
            foreach (var source in parts)
            {
                Assert.True(File.Exists(Repository.File(source)) || Directory.Exists(Repository.File(source)), $"{name}: COPY {source} does not exist");
            }
        }

        // An image builds from what it copies: every project the published one references, however far down, is copied.
        var copied = lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]).ToHashSet(StringComparer.Ordinal);
        var published = Published().Match(string.Join('\n', lines)).Groups[1].Value;
        foreach (var project in ProjectClosure(published))
        {
            Assert.True(copied.Contains(Path.GetDirectoryName(project) + "/"), $"{name}: the image builds {published}, which needs {project}, but never copies its folder");
        }

        // The image's WORKDIR /src is the repository root; /app becomes a folder of this test's.
        await using var folder = new TempFolder();
        await using var nodeRoot = new TempFolder();
        if (nodeStage)
        {
            await RunNodeStageAsync(lines, nodeRoot.Path);
        }

        // The Node stage's bundle is what COPY --from brings to src/Admin/Dashboard/dist: the publish reads it from the
        // stage's copy here, never from this checkout (whose own build may be writing its bundle at the same time).
        var bundle = nodeStage ? $" -p:DashboardDist={Path.Combine(nodeRoot.Path, "src/Admin/Dashboard/dist")}/" : "";
        var runs = lines.Where(l => l.StartsWith("RUN dotnet ", StringComparison.Ordinal))
            .Select(l => l["RUN ".Length..].Replace(" /app", " " + folder.Path, StringComparison.Ordinal) + (l.Contains("DashboardPrebuilt=true", StringComparison.Ordinal) ? bundle : ""))
            .ToList();
        Assert.Equal(2, runs.Count); // restore, then publish
        if (!name.StartsWith("demo-", StringComparison.Ordinal))
        {
            Assert.Contains("-p:PublishReadyToRun=true", runs[1], StringComparison.Ordinal);
        }
        foreach (var run in runs)
        {
            await RunAsync(run);
        }

        var entry = EntryPoint().Match(string.Join('\n', lines)).Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(folder.Path, entry)), $"{name}: the publish has no {entry} to start");
        Assert.True(!nodeStage || File.Exists(Path.Combine(folder.Path, "dashboard", "index.html")), $"{name}: the publish has no dashboard");
    }

    [Fact]
    public void Compose_Parses_AndRunsRedisTheServicesAndDemoServers_FromFilesThatExist()
    {
        var compose = Load("infra/docker-compose.yml").Single();
        var services = (YamlMappingNode)compose.Children[new YamlScalarNode("services")];
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        Assert.Contains("redis", names);
        Assert.All(Services.Keys, s => Assert.Contains(s, names));
        Assert.Equal(4, names.Count(n => n.StartsWith("game-", StringComparison.Ordinal)));

        foreach (var (service, node) in services.Children.Select(c => (((YamlScalarNode)c.Key).Value!, (YamlMappingNode)c.Value)))
        {
            if (node.Children.TryGetValue(new YamlScalarNode("build"), out var build))
            {
                var dockerfile = ((YamlScalarNode)((YamlMappingNode)build).Children[new YamlScalarNode("dockerfile")]).Value!;
                Assert.True(File.Exists(Repository.File(dockerfile)), $"{service}: {dockerfile} does not exist");
            }

            if (node.Children.TryGetValue(new YamlScalarNode("volumes"), out var volumes))
            {
                foreach (var volume in ((YamlSequenceNode)volumes).Children.Select(v => ((YamlScalarNode)v).Value!).Where(v => v.StartsWith("./", StringComparison.Ordinal)))
                {
                    var source = Repository.File(Path.Combine("infra", volume.Split(':')[0]));
                    Assert.True(File.Exists(source) || Directory.Exists(source), $"{service}: volume {volume} does not exist");
                }
            }
        }

        // The registry compose seeds is valid, and its destinations are compose's game servers.
        var document = JsonSerializer.Deserialize<RegistryDocument>(File.ReadAllText(Repository.File("infra/compose/clusters.json")), RegistryJson.Options)!;
        Assert.Empty(RegistryDocumentValidator.Check(document));
        Assert.All(document.Clusters.SelectMany(c => c.Destinations.Values), d => Assert.Contains(new Uri(d).Host, names));
    }

    [Fact]
    public void Kubernetes_Parses_WithProbesOnTheHealthEndpoints_PreStopMatchingShutdownDelay_AndABudgetAndServiceEach()
    {
        var documents = Directory.GetFiles(Repository.File("infra/k8s"), "*.yaml").SelectMany(f => Load(Path.GetRelativePath(Repository.Root, f))).ToList();
        var settings = documents.Single(d => Kind(d) == "ConfigMap");
        var data = (YamlMappingNode)settings.Children[new YamlScalarNode("data")];
        var delay = TimeSpan.Parse(Scalar(data, "Shutdown__Delay"), System.Globalization.CultureInfo.InvariantCulture);
        var timeout = TimeSpan.Parse(Scalar(data, "Shutdown__Timeout"), System.Globalization.CultureInfo.InvariantCulture);

        foreach (var (service, (_, ready, alive)) in Services)
        {
            var deployment = documents.Single(d => Kind(d) == "Deployment" && Name(d) == service);
            var pod = At(deployment, "spec", "template", "spec");
            var container = (YamlMappingNode)((YamlSequenceNode)pod.Children[new YamlScalarNode("containers")]).Children.Single();
            Assert.Equal(ready, Scalar(At(container, "readinessProbe", "httpGet"), "path"));
            Assert.Equal(alive, Scalar(At(container, "livenessProbe", "httpGet"), "path"));
            var preStop = int.Parse(Scalar(At(container, "lifecycle", "preStop", "sleep"), "seconds"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(delay, TimeSpan.FromSeconds(preStop));
            var grace = int.Parse(Scalar(pod, "terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(TimeSpan.FromSeconds(grace) > TimeSpan.FromSeconds(preStop) + delay + timeout, $"{service}: grace {grace} s is shorter than preStop + delay + timeout");
            Assert.Equal("true", Scalar(At(container, "securityContext"), "readOnlyRootFilesystem"));
            Assert.Equal("true", Scalar(At(pod, "securityContext"), "runAsNonRoot"));

            var labels = At(deployment, "spec", "selector", "matchLabels");
            Assert.Equal(service, Scalar(labels, "app.kubernetes.io/name"));
            Assert.Single(documents, d => Kind(d) == "PodDisruptionBudget" && Scalar(At(d, "spec", "selector", "matchLabels"), "app.kubernetes.io/name") == service);
            Assert.Single(documents, d => Kind(d) == "Service" && Scalar(At(d, "spec", "selector"), "app.kubernetes.io/name") == service);
        }
    }

    [Fact]
    public void SystemdUnits_AreSandboxed_AndStopWithinTheirShutdownTime()
    {
        foreach (var service in Services.Keys)
        {
            var unit = File.ReadAllLines(Repository.File($"infra/systemd/redwhite-{service}.service"))
                .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
                .Select(l => (Key: l[..l.IndexOf('=')], Value: l[(l.IndexOf('=') + 1)..]))
                .ToLookup(p => p.Key, p => p.Value);
            foreach (var (key, value) in new[] { ("DynamicUser", "yes"), ("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"), ("KillSignal", "SIGTERM") })
            {
                Assert.Equal(value, unit[key].Single());
            }

            Assert.Equal("", unit["CapabilityBoundingSet"].Single());
            Assert.True(int.Parse(unit["TimeoutStopSec"].Single(), System.Globalization.CultureInfo.InvariantCulture) > 35);
            var assembly = Path.GetFileNameWithoutExtension(Services[service].Project);
            Assert.EndsWith($"/RedWhite.{assembly}.dll", unit["ExecStart"].Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HaproxyConfig_IsValidForHaproxy_AndChecksEachServiceOnItsReadinessEndpoint()
    {
        var file = Repository.File("infra/haproxy/haproxy.cfg");
        var (exit, log, _) = await Command.RunAsync("haproxy", ["-c", "-f", file], TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"haproxy -c refused it:\n{log}");

        var text = File.ReadAllText(file);
        foreach (var (backend, path) in new[] { ("gateways", "/_rw/readyz"), ("discoveries", "/readyz"), ("admins", "/readyz") })
        {
            var section = text[text.IndexOf($"backend {backend}", StringComparison.Ordinal)..];
            section = section[..(section.IndexOf("\nfrontend", StringComparison.Ordinal) is var end and > 0 ? end : section.Length)];
            Assert.Contains($"option httpchk GET {path}", section, StringComparison.Ordinal);
            Assert.Equal(2, section.Split('\n').Count(l => l.TrimStart().StartsWith("server ", StringComparison.Ordinal) && l.EndsWith(" check", StringComparison.Ordinal)));
        }
    }

    /// <summary>
    /// Runs the Node stage's npm commands on a copy of what it copies (the dashboard's sources and lock file), so the
    /// check neither depends on nor disturbs this checkout's node_modules.
    /// </summary>
    private async Task RunNodeStageAsync(List<string> lines, string root)
    {
        var stage = lines.SkipWhile(l => !l.StartsWith("FROM node:", StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        foreach (var line in stage.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            foreach (var source in parts[..^1])
            {
                var from = Repository.File(source);
                var to = Path.Combine(root, parts[^1].EndsWith('/') && File.Exists(from) ? Path.Combine(parts[^1], Path.GetFileName(source)) : parts[^1]);
                CopyTree(from, to);
            }
        }

        var runs = stage.Where(l => l.StartsWith("RUN npm ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, runs.Count); // npm ci, then the bundle
        foreach (var run in runs)
        {
            var arguments = run["RUN npm ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(a => a.StartsWith("src/", StringComparison.Ordinal) ? Path.Combine(root, a) : a);
            var (exit, log, elapsed) = await Command.RunAsync("npm", arguments, TimeSpan.FromMinutes(4));
            output.WriteLine($"{run}: exit {exit} in {elapsed.TotalSeconds:F0} s");
            Assert.True(exit == 0, $"{run} failed:\n{log}");
        }

        Assert.True(File.Exists(Path.Combine(root, "src/Admin/Dashboard/dist/index.html")), "the Node stage bundled no dashboard");
    }

    private static void CopyTree(string from, string to)
    {
        if (File.Exists(from))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to, overwrite: true);
            return;
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("node_modules", StringComparison.Ordinal) || relative.StartsWith("dist", StringComparison.Ordinal))
            {
                continue; // .dockerignore keeps them out of the build context
            }

            CopyTree(file, Path.Combine(to, relative));
        }
    }

    private async Task RunAsync(string command)
    {
        var arguments = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (exit, log, elapsed) = await Command.RunAsync(arguments[0], arguments[1..].Append("-nologo"), TimeSpan.FromMinutes(4));
        output.WriteLine($"{command}: exit {exit} in {elapsed.TotalSeconds:F0} s");
        Assert.True(exit == 0, $"{command} failed:\n{log}");
    }

    /// <summary>Dockerfile lines with continuations joined and comments dropped.</summary>
    private static List<string> Joined(string[] lines)
    {
        var joined = new List<string>();
        var current = "";
        foreach (var line in lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            current += line.EndsWith('\\') ? line[..^1] + " " : line;
            if (!line.EndsWith('\\'))
            {
                joined.Add(current);
                current = "";
            }
        }

        return joined;
    }

    private static List<YamlMappingNode> Load(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Repository.File(relativePath));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static string Kind(YamlMappingNode document) => Scalar(document, "kind");

    private static string Name(YamlMappingNode document) => Scalar(At(document, "metadata"), "name");

    private static YamlMappingNode At(YamlMappingNode node, params string[] keys) =>
        keys.Aggregate(node, (current, key) => (YamlMappingNode)current.Children[new YamlScalarNode(key)]);

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value ?? "" : "";

    /// <summary><paramref name="project"/> (relative to the repository) and every project it references, transitively.</summary>
    private static HashSet<string> ProjectClosure(string project)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!found.Add(next))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(Repository.File(next))!;
            foreach (Match reference in ProjectReference().Matches(File.ReadAllText(Repository.File(next))))
            {
                pending.Push(Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(folder, reference.Groups[1].Value))).Replace('\\', '/'));
            }
        }

        return found;
    }

    [GeneratedRegex(@"RUN dotnet publish (\S+\.csproj)")]
    private static partial Regex Published();

    [GeneratedRegex("<ProjectReference Include=\"([^\"]+)\"")]
    private static partial Regex ProjectReference();

    [GeneratedRegex("ENTRYPOINT \\[\"dotnet\", \"([^\"]+)\"\\]")]
    private static partial Regex EntryPoint();
}
