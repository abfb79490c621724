using System.Text.Json;

namespace RedWhite.Gateway.Tests.Configuration;

/// <summary>What the Gateway's build puts in its runtimeconfig.json, which the Dockerfile's publish and the units ship.</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void RuntimeConfig_KeepsIdleThreadPoolWorkersFromSpinning()
    {
        // Below saturation the spin was a quarter of the Gateway's CPU for no latency (BENCHMARKS.md, issue 29).
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "RedWhite.Gateway.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }
}
