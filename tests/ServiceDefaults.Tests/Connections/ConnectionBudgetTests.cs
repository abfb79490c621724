using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.ServiceDefaults.Connections;

namespace RedWhite.ServiceDefaults.Tests.Connections;

public sealed class ConnectionBudgetTests
{
    private const long Plenty = 64L * 1024 * 1024 * 1024;

    [Theory]
    [InlineData(null, 20_000L, 2, 9_616L)]   // (20,000 - 512 reserved - 256 answering) / 2 descriptors
    [InlineData(null, 20_000L, 1, 19_232L)]  // Discovery and Admin: one descriptor a connection
    [InlineData(null, 500L, 2, 0L)]          // fewer descriptors than the reserve: nothing left (start-up floors and warns)
    [InlineData(5_000L, 20_000L, 2, 5_000L)] // set by the operator: taken as is
    [InlineData(0L, 20_000L, 2, null)]       // 0: no limit
    [InlineData(null, null, 2, 524_288L)]    // descriptors unknown: the memory cap alone
    public void Resolve_DerivesTheLimitFromDescriptors_UnlessConfigured(long? configured, long? files, int perConnection, long? expected) =>
        Assert.Equal(expected, ConnectionBudget.Resolve(configured, files, perConnection, Plenty));

    [Fact]
    public void Resolve_NeverPromisesMoreConnectionsThanHalfTheMemoryHolds()
    {
        // A 1 GiB container with a million descriptors: 512 MiB at 64 KiB a connection.
        Assert.Equal(8_192, ConnectionBudget.Resolve(null, 1_048_576, 2, 1L << 30));
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
