using RedWhite.TestKit;
using RedWhite.TestKit.Processes;

namespace RedWhite.Stack.Tests;

/// <summary>
/// Discovery, Gateway and Admin as real processes on the embedded file registry, as <c>./infra/stack</c> runs them,
/// plus whatever the test starts beside them (game servers). Everything it started is stopped on dispose, newest first;
/// a start that fails stops what did start before it throws (xunit disposes no fixture whose start failed).
/// </summary>
internal sealed class FileStack : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> running = [];

    private FileStack()
    {
    }

    /// <summary>The registry file the services read, in a folder that also holds their logs.</summary>
    public TestRegistry Registry { get; } = new();

    public ServiceProcess Discovery { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public ServiceProcess Admin { get; private set; } = null!;

    /// <summary>
    /// Runs <paramref name="prepare"/> (start game servers with <see cref="Own{T}"/>, write the registry), then the three
    /// services with the registry's settings, the test keys, anonymous players and the settings it returned; returns
    /// once all three are ready. <paramref name="only"/> gives one service (<c>discovery</c>, <c>gateway</c>, <c>admin</c>) settings of its own.
    /// </summary>
    public static async Task<FileStack> StartAsync(
        Func<FileStack, Task<IEnumerable<string>>> prepare, IDictionary<string, string>? environment = null, Func<string, IEnumerable<string>>? only = null)
    {
        ArgumentNullException.ThrowIfNull(prepare);
        var stack = new FileStack();
        try
        {
            var extra = await prepare(stack);
            string[] settings =
            [
                .. stack.Registry.Settings().Concat(TestKeys.Settings()).Append(TestKeys.AnonymousPlayers).Select(kv => $"--{kv.Key}={kv.Value}"),
                .. extra,
            ];
            var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["ASPNETCORE_ENVIRONMENT"] = "Testing" };
            string[] For(string name) => [.. settings, .. only?.Invoke(name) ?? []];
            stack.Discovery = stack.Own(stack.StartService("discovery", "Discovery", For("discovery"), variables));
            stack.Gateway = stack.Own(stack.StartService("gateway", "Gateway", For("gateway"), variables));
            stack.Admin = stack.Own(stack.StartService("admin", "Admin", For("admin"), variables));
            await Task.WhenAll(stack.Discovery.WaitReadyAsync("/readyz"), stack.Gateway.WaitReadyAsync("/_rw/readyz"), stack.Admin.WaitReadyAsync("/readyz"));
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Demo game servers (<c>infra/DemoGameServer</c>), owned by the stack, once all answer their health check.</summary>
    public async Task<Dictionary<string, ServiceProcess>> StartGameServersAsync(params (string Name, string Color, string Cluster)[] servers)
    {
        var started = servers.ToDictionary(s => s.Name, s => Own(ServiceProcess.StartDotnet(
            "game-" + s.Name, Repository.Dll("infra/DemoGameServer", "RedWhite.DemoGameServer"), Registry.Directory,
            [$"--Demo:Name={s.Name}", $"--Demo:Color={s.Color}", $"--Demo:Cluster={s.Cluster}"])));
        await Task.WhenAll(started.Values.Select(s => s.WaitReadyAsync("/healthz")));
        return started;
    }

    /// <summary>Stops <paramref name="item"/> with the stack (before anything started earlier).</summary>
    public T Own<T>(T item)
        where T : IAsyncDisposable
    {
        running.Add(item);
        return item;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(running))
        {
            await item.DisposeAsync();
        }

        running.Clear();
        Registry.Dispose();
    }

    private ServiceProcess StartService(string name, string service, string[] settings, Dictionary<string, string> environment) =>
        ServiceProcess.StartDotnet(name, Repository.Dll($"src/{service}", $"RedWhite.{service}"), Registry.Directory, settings, environment);
}
