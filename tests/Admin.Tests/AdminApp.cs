using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests;

/// <summary>
/// The Admin service in memory over a temp registry file, with one key per role. Options let a test
/// swap the store, the clock, or the environment and keys (for the start-up refusals).
/// </summary>
public sealed class AdminApp : ServiceFactory<Program>
{
    public const string ViewerKey = "test-viewer-key-0123456789-abcdefghijk";
    public const string QaKey = "test-qa-key-0123456789-abcdefghijklmno";
    public const string ReleaseKey = "test-release-key-0123456789-abcdefghi";

    private readonly Action<IServiceCollection>? services;

    public AdminApp(
        TestRegistry registry,
        string environment = "Testing",
        IEnumerable<KeyValuePair<string, string?>>? keys = null,
        Action<IServiceCollection>? services = null,
        IEnumerable<KeyValuePair<string, string?>>? extra = null,
        bool publishBlue = true)
        : base(Settings(registry, keys, extra), environment)
    {
        Registry = registry;
        this.services = services;
        if (publishBlue)
        {
            registry.PublishConfig(TestRegistry.ConfigJson("blue")); // the config ClusterJson's bodies name
        }
    }

    public TestRegistry Registry { get; }

    /// <summary>The store a test makes fail or interleave, when the app was made by <see cref="Intercepted"/>.</summary>
    public InterceptingRegistryStore Interceptor { get; private init; } = null!;

    /// <summary>Admin over <paramref name="registry"/> through a store the test can make unreachable or race (<see cref="Interceptor"/>).</summary>
    public static AdminApp Intercepted(TestRegistry registry)
    {
        var store = new InterceptingRegistryStore(registry.Store());
        return new AdminApp(registry, services: s => s.Replace<IRegistryStore>(store)) { Interceptor = store };
    }

    public static IEnumerable<KeyValuePair<string, string?>> DefaultKeys() =>
    [
        new("Admin:ApiKeys:viewer:Key", ViewerKey),
        new("Admin:ApiKeys:viewer:Role", "Viewer"),
        new("Admin:ApiKeys:qa:Key", QaKey),
        new("Admin:ApiKeys:qa:Role", "QA"),
        new("Admin:ApiKeys:release:Key", ReleaseKey),
        new("Admin:ApiKeys:release:Role", "ReleaseManager"),
    ];

    /// <summary>A client sending <paramref name="apiKey"/> (none when null).</summary>
    public HttpClient Client(string? apiKey = ReleaseKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>The document as stored now (not as the service holds it).</summary>
    public Task<RegistryDocument> StoredAsync() => Registry.Store().LoadAsync(CancellationToken.None);

    /// <summary>The audit log as stored now, newest first.</summary>
    public Task<IReadOnlyList<AuditEntry>> AuditAsync() => Registry.Store().ReadAuditAsync(100, CancellationToken.None);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => services?.Invoke(s));
    }

    /// <summary>The registry, the keys and test defaults; later entries win, so a test's extra settings override the defaults.</summary>
    private static List<KeyValuePair<string, string?>> Settings(
        TestRegistry registry, IEnumerable<KeyValuePair<string, string?>>? keys, IEnumerable<KeyValuePair<string, string?>>? extra)
    {
        ArgumentNullException.ThrowIfNull(registry);
        IEnumerable<KeyValuePair<string, string?>> all =
        [
            .. registry.Settings(),
            .. keys ?? DefaultKeys(),
            new("Serilog:MinimumLevel:Default", "Warning"),

            // The fixtures pin devices until 2030; the pin-limit tests set their own lifetime.
            new("Admin:MaxPinLifetime", "3650.00:00:00"),
            .. extra ?? [],
        ];
        return [.. all.GroupBy(s => s.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.Last())];
    }
}
