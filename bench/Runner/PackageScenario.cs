using System.Globalization;
using System.Text;

namespace RedWhite.Runner;

/// <summary>
/// What a many-core machine without .NET needs to run the pinned HTTP A/B (<c>bench/run package</c> adds the
/// publishes, the runtime, wrk and nginx): the registry pointing at the upstream's fixed port, 10,000 players' tickets
/// signed with a fresh key, and <c>settings.sh</c> with the keys the services are started with. Nothing here is
/// secret beyond the run: the keys are made for this package and used on loopback only.
/// </summary>
internal static class PackageScenario
{
    /// <summary>The upstream's port inside the package's run (the registry names it).</summary>
    public const int UpstreamPort = 18080;

    public static async Task<string> WriteAsync(string folder)
    {
        var work = Path.GetFullPath(Path.Combine(folder, "work"));
        var stack = BenchStack.CreateIn(work);
        stack.WriteRegistry(1, $"http://127.0.0.1:{UpstreamPort}/");
        await File.WriteAllLinesAsync(Path.Combine(folder, "tickets.txt"), stack.MintTickets(10_000));
        var settings = new StringBuilder()
            .AppendLine("# Written by bench/run package: the keys the package's services start with (made for this package).")
            .AppendLine(CultureInfo.InvariantCulture, $"SIGNING_KEY='{stack.SigningKey}'")
            .AppendLine(CultureInfo.InvariantCulture, $"ADMIN_KEY='{BenchStack.AdminKey}'")
            .AppendLine(CultureInfo.InvariantCulture, $"UPSTREAM_PORT={UpstreamPort}");
        await File.WriteAllTextAsync(Path.Combine(folder, "settings.sh"), settings.ToString());
        return $"Registry, 10,000 tickets and settings.sh written to {Path.GetFullPath(folder)}.";
    }
}
