using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.ServiceDefaults.Connections;

namespace RedWhite.ServiceDefaults.Tests.Connections;

public sealed class ConnectionBudgetTests
{
    private const long Plenty = 64L * 1024 * 1024 * 1024;

    [Theory]
    [InlineData(null, 20_000L, 2, 9_488L)]   // (20,000 - 768 reserved - 256 answering) / 2 descriptors
    [InlineData(null, 20_000L, 1, 18_976L)]  // Discovery and Admin: one descriptor a connection
    [InlineData(5_000L, 20_000L, 2, 5_000L)] // set lower by the operator: taken as is
    [InlineData(0L, 20_000L, 2, 9_488L)]     // 0: no limit of the operator's, the descriptors' still holds
    [InlineData(null, null, 2, 524_288L)]    // descriptors unknown: the memory cap alone
    [InlineData(0L, null, 2, null)]          // nothing known and no limit asked for: none
    public void Resolve_DerivesTheLimitFromDescriptors(long? configured, long? files, int perConnection, long? expected)
    {
        var (limit, warning) = ConnectionBudget.Resolve(configured, files, perConnection, Plenty);
        Assert.Equal(expected, limit);
        Assert.Null(warning);
    }

    [Fact]
    public void Resolve_ALimitSetAboveWhatTheDescriptorsHold_IsCapped_AndSaysSo()
    {
        // An operator asked for 5,000 proxied connections with 1,000 descriptors: the process would run out and die.
        var (limit, warning) = ConnectionBudget.Resolve(5_000, 2_000, 2, Plenty, "Gateway:MaxConnections");
        Assert.Equal(488, limit);
        Assert.StartsWith("Gateway:MaxConnections=5000 is more connections than the open-file limit 2000 holds", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_TooFewDescriptors_KeepsTheServiceReachable_AndSaysWhatToRaise()
    {
        var (limit, warning) = ConnectionBudget.Resolve(null, 500, 2, Plenty);
        Assert.Equal(ConnectionBudget.Floor, limit);
        Assert.Contains("raise it (ulimit -n", warning, StringComparison.Ordinal);
        Assert.Contains("to 21024 for 10,000", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NeverPromisesMoreConnectionsThanHalfTheMemoryHolds()
    {
        // A 1 GiB container with a million descriptors: 512 MiB at 64 KiB a connection.
        Assert.Equal(8_192, ConnectionBudget.Resolve(null, 1_048_576, 2, 1L << 30).Limit);
    }

    [Fact]
    public void OpenFileLimit_IsReadOnLinux() => Assert.True(ProcessDescriptors.OpenFileLimit() is null or > 0);

    [Fact]
    public void Admit_PastTheLimit_AnswersBusyThenCloses_AndAReleaseMakesRoom()
    {
        using var budget = Budget(limit: 2);
        Assert.Equal(Admission.Serve, budget.Admit(Lane.Public));
        Assert.Equal(Admission.Serve, budget.Admit(Lane.Public));
        for (var i = 0; i < ConnectionBudget.AnsweringSlots; i++)
        {
            Assert.Equal(Admission.AnswerBusy, budget.Admit(Lane.Public));
        }

        Assert.Equal(Admission.Close, budget.Admit(Lane.Public)); // every answering slot busy
        budget.Answered();
        Assert.Equal(Admission.AnswerBusy, budget.Admit(Lane.Public));

        budget.Release(Lane.Public, wasUpgraded: false);
        Assert.Equal(Admission.Serve, budget.Admit(Lane.Public));
        Assert.Equal(2, budget.OpenConnections);
    }

    [Fact]
    public void AnUpgradedConnection_KeepsItsPlace_UntilItEnds()
    {
        using var budget = Budget(limit: 1);
        Assert.Equal(Admission.Serve, budget.Admit(Lane.Public));
        budget.Upgraded();
        Assert.NotEqual(Admission.Serve, budget.Admit(Lane.Public)); // Kestrel's own limit would have let it go here
        Assert.Equal(1, budget.UpgradedConnections);

        budget.Release(Lane.Public, wasUpgraded: true);
        Assert.Equal(0, budget.UpgradedConnections);
        Assert.Equal(Admission.Serve, budget.Admit(Lane.Public));
    }

    [Fact]
    public void TheManagementListener_HasABudgetOfItsOwn()
    {
        using var budget = Budget(limit: 1);
        Assert.Equal(Admission.Serve, budget.Admit(Lane.Public));
        for (var i = 0; i < ConnectionBudget.ManagementConnections; i++)
        {
            Assert.Equal(Admission.Serve, budget.Admit(Lane.Management)); // a public surge does not lock the scrape out
        }

        Assert.Equal(Admission.Close, budget.Admit(Lane.Management));
        Assert.Equal(1, budget.OpenConnections);
    }

    [Fact]
    public void RunningOutAnyway_GivesTheReserveBack_RefusesNewConnections_AndRecoversWhenThereIsRoom()
    {
        using var reserve = new DescriptorReserve(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<DescriptorReserve>.Instance);
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var budget = new ConnectionBudget(100, 20_000, 2, services.GetRequiredService<IMeterFactory>(), reserve);
        Assert.Equal(DescriptorReserve.Size, reserve.Held);

        reserve.Exhaust();
        Assert.Equal(0, reserve.Held); // given back for the runtime's own files
        Assert.Equal(Admission.Close, budget.Admit(Lane.Public));
        Assert.Equal(Admission.Serve, budget.Admit(Lane.Management)); // the scrape still gets in

        reserve.Recover(); // this test process is far from its limit
        Assert.False(reserve.Exhausted);
        Assert.Equal(DescriptorReserve.Size, reserve.Held);
        Assert.Equal(Admission.Serve, budget.Admit(Lane.Public));
    }

    [Theory]
    [InlineData("GET /ws HTTP/1.1\r\n", true)]
    [InlineData("POST /v1/discovery/login HTTP/1.0\r\n", true)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false)] // HTTP/2 prior knowledge: no HTTP/1 answer
    [InlineData("\u0016\u0003\u0001\u0002\u0000", false)]      // a TLS ClientHello
    [InlineData("get / HTTP/1.1\r\n", false)]
    [InlineData("GET", false)]
    public void OnlyAnHttp1RequestIsAnsweredBusy(string head, bool answered) =>
        Assert.Equal(answered, BusyAnswer.LooksLikeHttp1(System.Text.Encoding.Latin1.GetBytes(head)));

    [Theory]
    [InlineData("GET /readyz HTTP/1.1\r\n", true)]
    [InlineData("HEAD /_rw/healthz HTTP/1.1\r\n", true)]
    [InlineData("GET /readyz?verbose=1 HTTP/1.1\r\n", true)]
    [InlineData("GET /readyzz HTTP/1.1\r\n", false)]
    [InlineData("POST /readyz HTTP/1.1\r\n", false)]
    [InlineData("GET /ws HTTP/1.1\r\n", false)]
    [InlineData("GET /_rw/_rw/readyz HTTP/1.1\r\n", false)]
    public void OnlyAHealthProbeIsServedPastTheLimit(string head, bool probe) =>
        Assert.Equal(probe, BusyAnswer.IsProbe(System.Text.Encoding.Latin1.GetBytes(head)));

    [Theory]
    [InlineData(SocketError.TooManyOpenSockets, true)]
    [InlineData(SocketError.NoBufferSpaceAvailable, true)]
    [InlineData(SocketError.ConnectionRefused, false)]
    [InlineData(SocketError.ConnectionReset, false)]
    [InlineData(SocketError.TimedOut, false)]
    public void LocalExhaustion_IsTheProcessRunningOut_NotTheOtherSideFailing(SocketError error, bool local) =>
        Assert.Equal(local, LocalExhaustion.Is(new HttpRequestException(HttpRequestError.ConnectionError, "connect failed", new SocketException((int)error))));

    private static ConnectionBudget Budget(long limit)
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        return new ConnectionBudget(limit, 20_000, 2, services.GetRequiredService<IMeterFactory>());
    }
}
