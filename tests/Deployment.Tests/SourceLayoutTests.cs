using System.Text.RegularExpressions;
using RedWhite.TestKit.Processes;

namespace RedWhite.Deployment.Tests;

/// <summary>
/// The source tree keeps its rooms (STYLE.md): Core is the domain and sees no hosting or Redis, ServiceDefaults knows no
/// domain project, no namespace depends on another that depends back on it, and a file past 300 lines says why.
/// </summary>
public sealed partial class SourceLayoutTests
{
    public static TheoryData<string> Projects() =>
        [.. Directory.GetDirectories(Repository.File("src")).Select(d => Path.GetFileName(d)).Where(p => File.Exists(Repository.File($"src/{p}/{p}.csproj")))];

    [Fact]
    public void Core_ReferencesNeitherAspNetCoreNorHostingNorRedis()
    {
        var project = File.ReadAllText(Repository.File("src/Core/Core.csproj"));
        Assert.DoesNotMatch(new Regex("Microsoft\\.AspNetCore|Microsoft\\.Extensions\\.Hosting|StackExchange\\.Redis"), project);
        Assert.DoesNotContain(Sources("Core"), f => File.ReadAllText(f).Contains("using Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void ServiceDefaults_ReferencesNoDomainProject()
    {
        var project = File.ReadAllText(Repository.File("src/ServiceDefaults/ServiceDefaults.csproj"));
        Assert.DoesNotContain("Core.csproj", project, StringComparison.Ordinal);
        Assert.DoesNotContain("Registry.csproj", project, StringComparison.Ordinal);
        Assert.DoesNotContain(Sources("ServiceDefaults"), f => Regex.IsMatch(File.ReadAllText(f), @"\bRedWhite\.(Core|Registry)\b"));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Project_HasNoNamespaceCycles(string project)
    {
        var files = Sources(project).Select(f => (Path: f, Text: File.ReadAllText(f))).ToList();
        var declared = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal); // type -> namespaces declaring it
        foreach (var (_, text) in files)
        {
            if (Namespace().Match(text) is not { Success: true } ns)
            {
                continue;
            }

            foreach (Match type in TypeDeclaration().Matches(text))
            {
                (declared.TryGetValue(type.Groups[1].Value, out var set) ? set : declared[type.Groups[1].Value] = []).Add(ns.Groups[1].Value);
            }
        }

        declared.Remove("Log"); // every project's one Log class lives at its root and references nothing back
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (_, text) in files)
        {
            if (Namespace().Match(text) is not { Success: true } match)
            {
                continue;
            }

            var ns = match.Groups[1].Value;
            var usings = Using().Matches(text).Select(u => u.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            var code = Comment().Replace(Using().Replace(text, ""), "");
            foreach (var (type, namespaces) in declared)
            {
                foreach (var other in namespaces.Where(n => n != ns && (usings.Contains(n) || ns.StartsWith(n + ".", StringComparison.Ordinal))))
                {
                    if (Regex.IsMatch(code, $@"\b{type}\b"))
                    {
                        (edges.TryGetValue(ns, out var set) ? set : edges[ns] = []).Add(other);
                    }
                }
            }
        }

        var cycles = edges.Keys.SelectMany(from => edges[from].Where(to => Reaches(edges, to, from)).Select(to => $"{from} -> {to}")).ToList();
        Assert.True(cycles.Count == 0, $"namespaces of src/{project} depend on each other both ways: {string.Join("; ", cycles)}");
    }

    [Fact]
    public void SourceFilesOver300Lines_SayWhyInTheirFirstLine()
    {
        var unexplained = Directory.GetDirectories(Repository.File("src")).SelectMany(d => Sources(Path.GetFileName(d)))
            .Where(f => File.ReadLines(f).Count() > 300 && !File.ReadLines(f).First().TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Repository.Root, f))
            .ToList();
        Assert.True(unexplained.Count == 0, "split these, or say in their first line why not: " + string.Join(", ", unexplained));
    }

    private static IEnumerable<string> Sources(string project) =>
        Directory.EnumerateFiles(Repository.File($"src/{project}"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
                        !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
                        !f.Contains("node_modules", StringComparison.Ordinal));

    private static bool Reaches(Dictionary<string, HashSet<string>> edges, string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([from]);
        while (stack.TryPop(out var node))
        {
            if (node == to)
            {
                return true;
            }

            if (seen.Add(node) && edges.TryGetValue(node, out var next))
            {
                foreach (var n in next)
                {
                    stack.Push(n);
                }
            }
        }

        return false;
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^\s*(?:(?:public|internal|private|protected|sealed|static|abstract|partial|readonly|file)\s+)*(?:class|interface|record|enum|struct)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^using (?:static )?([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Using();

    [GeneratedRegex(@"//.*")]
    private static partial Regex Comment();
}
