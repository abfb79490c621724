using RedWhite.Gateway.Configuration;

namespace RedWhite.Gateway.Tests.Configuration;

public sealed class ConnectionLimitTests
{
    [Theory]
    [InlineData(null, 20_000L, 9_872L)]   // two descriptors per proxied connection, 256 kept back
    [InlineData(null, 1_048_576L, 524_160L)]
    [InlineData(null, 500L, null)]        // too few descriptors to divide: Kestrel's default (none)
    [InlineData(null, null, null)]        // unknown limit
    [InlineData(5_000L, 20_000L, 5_000L)] // configured wins
    [InlineData(0L, 20_000L, null)]       // 0: no limit, on purpose
    public void Resolve_HalvesTheOpenFileLimitLessAReserve_UnlessConfigured(long? configured, long? files, long? expected) =>
        Assert.Equal(expected, ConnectionLimit.Resolve(configured, files));

    [Fact]
    public void OpenFileLimit_IsReadFromTheProcess() =>
        Assert.True(ConnectionLimit.OpenFileLimit() is null or > 0);
}
