using Microsoft.Extensions.Options;
using RedWhite.TestKit;

namespace RedWhite.Gateway.Tests.Configuration;

public sealed class GatewayOptionsTests
{
    [Theory]
    [InlineData("Gateway:HealthChecks:Interval", "-00:00:01")]
    [InlineData("Gateway:HealthChecks:Timeout", "00:00:00")]
    [InlineData("Gateway:HealthChecks:Path", "healthz")]
    [InlineData("Gateway:HealthChecks:ReactivationPeriod", "00:00:00")]
    public void Gateway_BadHealthCheckSetting_StopsStart_NamingTheKey(string key, string value)
    {
        using var registry = new TestRegistry();

        var error = Assert.ThrowsAny<Exception>(() => GatewayHost.Start(registry, (key, value)));

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Contains(validation.Failures, f => f.Contains(key, StringComparison.Ordinal));
    }

    private static Exception Unwrap(Exception error)
    {
        while (error is AggregateException { InnerException: { } inner })
        {
            error = inner;
        }

        return error;
    }
}
