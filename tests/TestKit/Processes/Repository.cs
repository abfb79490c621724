namespace RedWhite.TestKit.Processes;

/// <summary>Where the repository and its built services are, seen from a test or benchmark binary.</summary>
public static class Repository
{
    /// <summary>The folder holding Gateway.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug: whichever this binary was built as, so services match it.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built DLL of a project, e.g. <c>Dll("src/Gateway", "RedWhite.Gateway")</c>.</summary>
    public static string Dll(string project, string assembly, string? configuration = null) =>
        Path.Combine(Root, project, "bin", configuration ?? Configuration, "net10.0", assembly + ".dll");

    /// <summary>A file in the repository, by its path from the root.</summary>
    public static string File(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
