using System.Net;
using System.Text;
using System.Text.Json;
using RedWhite.Client.Transport;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Client.Tests;

/// <summary>The client library against real Discovery and Gateway hosts and real game servers.</summary>
public sealed class SessionTests
{
    [Fact]
    public async Task Login_ThenRequestsCarryTheTicket_ToTheTicketsCluster()
    {
        await using var bed = await PlayBed.StartAsync();
        using var session = new RedWhiteSession(bed.Options());

        var login = await session.LoginAsync();
        Assert.Equal(LoginDecision.Ok, login.Decision);
        Assert.Equal("white-1.0", login.Cluster);
        Assert.Equal("white", login.Color);
        Assert.NotNull(login.Ticket);
        Assert.True(login.ExpiresAt > DateTimeOffset.UtcNow);
        Assert.Equal(TestRegistry.ConfigOf("white-1.0"), login.ConfigVersion);
        Assert.Equal(login.ConfigVersion, session.ConfigVersion); // the client held none: it runs the announced one

        using var client = session.CreateGatewayClient();
        using var answer = await client.GetAsync("game/state");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("white-1.0", await ClusterOfAsync(answer));
        var seen = Assert.Single(bed.White.RequestsTo("/game/state"));
        Assert.Equal("player-device-1", seen.Headers["X-Player-Id"]);
        Assert.Equal(1, session.Logins);
    }

    [Fact]
    public async Task Ticket_IsRenewedBeforeItExpires_BesideRequestsThatKeepUsingIt()
    {
        await using var bed = await PlayBed.StartAsync();
        using var discovery = new HeldLogins();
        var options = bed.Options();
        options.HttpTransport = discovery;
        var offset = TimeSpan.Zero;
        options.UtcNow = () => DateTimeOffset.UtcNow + offset;
        using var session = new RedWhiteSession(options);
        var answered = 0;
        session.LoggedIn += (_, _) => Interlocked.Increment(ref answered);
        var sent = new SentTickets();
        using var client = session.CreateGatewayClient(sent);
        using (var first = await client.GetAsync("game/one"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var firstTicket = session.Current!.Ticket;

        // The client's clock reaches RenewBefore ahead of expiry, and Discovery is slow to answer: the request goes
        // at once with the ticket it holds (still good), while the renewal waits for Discovery beside it.
        discovery.Hold();
        offset = session.Current!.ExpiresAt!.Value - DateTimeOffset.UtcNow - options.RenewBefore + TimeSpan.FromSeconds(1);
        using (var second = await client.GetAsync("game/two"))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Equal(firstTicket, sent["/game/two"]);
        await Eventually.TrueAsync(() => discovery.Waiting == 1, "the renewal to be sent to Discovery");
        using (var third = await client.GetAsync("game/three"))
        {
            Assert.Equal(HttpStatusCode.OK, third.StatusCode); // one renewal at a time: this request starts no second one
        }

        discovery.Release();
        await Eventually.TrueAsync(() => Volatile.Read(ref answered) == 2, "the renewal to be answered");
        Assert.Equal(2, discovery.Sent); // the login and exactly one renewal
        offset = TimeSpan.Zero;
        using (var fourth = await client.GetAsync("game/four"))
        {
            Assert.Equal(HttpStatusCode.OK, fourth.StatusCode);
        }

        Assert.Equal(session.Current!.Ticket, sent["/game/four"]);
        Assert.Equal(2, session.Logins);
    }

    [Fact]
    public async Task RenewalAnsweredUnavailable_KeepsTheTicketThatStillWorks_UntilItExpires()
    {
        await using var bed = await PlayBed.StartAsync();
        var options = bed.Options();
        var offset = TimeSpan.Zero;
        options.UtcNow = () => DateTimeOffset.UtcNow + offset;
        options.Delay = (_, _) => Task.CompletedTask;
        options.Retry.MaxAttempts = 2;
        using var session = new RedWhiteSession(options);
        var answered = 0;
        session.LoggedIn += (_, _) => Interlocked.Increment(ref answered);
        var sent = new SentTickets();
        using var client = session.CreateGatewayClient(sent);
        var login = await session.LoginAsync();

        // White drains with nothing after it: Discovery has no cluster for the build (unavailable), while the
        // gateway still routes white's players.
        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Draining, DateTimeOffset.UtcNow.AddHours(1)));
        offset = login.ExpiresAt!.Value - DateTimeOffset.UtcNow - options.RenewBefore + TimeSpan.FromSeconds(1);
        using (var renewing = await client.GetAsync("game/renewing"))
        {
            Assert.Equal(HttpStatusCode.OK, renewing.StatusCode);
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref answered) == 3, "the renewal's two attempts");
        Assert.Equal(3, session.Logins);
        Assert.Equal(LoginDecision.Unavailable, session.Current!.Decision);
        Assert.Equal(("white-1.0", login.Ticket), (session.TicketLogin!.Cluster, session.TicketLogin.Ticket));
        using (var after = await client.GetAsync("game/after"))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.Equal("white-1.0", await ClusterOfAsync(after));
        }

        Assert.Equal(login.Ticket, sent["/game/after"]);

        // Once the ticket has expired, a request needs a login and there is still no cluster: no ticket, said so.
        offset = login.ExpiresAt!.Value - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        var refused = await Assert.ThrowsAsync<RedWhiteNoTicketException>(() => client.GetAsync("game/expired"));
        Assert.Equal(LoginDecision.Unavailable, refused.Login.Decision);
        Assert.False(sent.Contains("/game/expired"));
    }

    [Fact]
    public async Task ClusterRetired_AndNoClusterForTheBuild_TheDeadTicketIsDropped_NotSentAgain()
    {
        await using var bed = await PlayBed.StartAsync();
        var options = bed.Options();
        options.Delay = (_, _) => Task.CompletedTask;
        options.Retry.MaxAttempts = 1;
        using var session = new RedWhiteSession(options);
        using var client = session.CreateGatewayClient();
        await session.LoginAsync();
        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Retired));

        using (var gone = await client.GetAsync("game/gone"))
        {
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode); // the re-login found nothing: the caller sees the 410
        }

        Assert.Equal(2, session.Logins);
        await Assert.ThrowsAsync<RedWhiteNoTicketException>(() => client.GetAsync("game/again"));
        Assert.Equal(3, session.Logins); // a login, not the retired cluster's ticket sent again
        Assert.Null(session.TicketLogin);
        Assert.Empty(bed.White.RequestsTo("/game/again"));
        Assert.Empty(bed.Red.RequestsTo("/game/again"));
    }

    [Fact]
    public async Task ClusterRetired_LogsInAgain_AndRetriesOnce_ReachingTheNewCluster()
    {
        await using var bed = await PlayBed.StartAsync();
        using var session = new RedWhiteSession(bed.Options());
        using var client = session.CreateGatewayClient();
        using (var before = await client.GetAsync("game/before"))
        {
            Assert.Equal("white-1.0", await ClusterOfAsync(before));
        }

        // Release: red takes the build, white retires. The old ticket now gets 410 cluster_retired at the gateway.
        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Retired), bed.RedCluster(ClusterState.Active));

        using var after = await client.GetAsync("game/after");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("red-1.1", await ClusterOfAsync(after));
        Assert.Equal("red-1.1", session.Current!.Cluster);
        Assert.Equal(2, session.Logins);
        Assert.Single(bed.Red.RequestsTo("/game/after"));
        Assert.Empty(bed.White.RequestsTo("/game/after"));
    }

    [Fact]
    public async Task ClusterRetired_IsNotRetried_ForARequestThatIsNotSafeToRepeat()
    {
        await using var bed = await PlayBed.StartAsync();
        using var session = new RedWhiteSession(bed.Options());
        using var client = session.CreateGatewayClient();
        await session.LoginAsync();
        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Retired), bed.RedCluster(ClusterState.Active));

        using var post = await client.PostAsync("game/buy", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Gone, post.StatusCode); // surfaced: the game decides whether buying twice is safe
        Assert.Empty(bed.Red.RequestsTo("/game/buy"));

        using var keyed = new HttpRequestMessage(HttpMethod.Post, "game/buy") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        keyed.Headers.Add("Idempotency-Key", "order-1");
        // The ticket is still white's: a POST with an Idempotency-Key is refused once, then retried on red.
        using var retried = await client.SendAsync(keyed);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Single(bed.Red.RequestsTo("/game/buy"));
    }

    [Fact]
    public async Task TicketExpired_LogsInAgain_AndRetries()
    {
        // Tickets live 2 s; the client's clock runs an hour behind, so it believes its ticket is fresh and the
        // gateway is the one to say it expired.
        await using var bed = await PlayBed.StartAsync(("Tickets:Lifetime", "00:00:02"));
        var options = bed.Options();
        options.UtcNow = () => DateTimeOffset.UtcNow - TimeSpan.FromHours(1);
        options.RenewBefore = TimeSpan.Zero;
        using var session = new RedWhiteSession(options);
        using var client = session.CreateGatewayClient();
        await session.LoginAsync();
        var expiry = session.Current!.ExpiresAt!.Value;
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > expiry + TimeSpan.FromSeconds(1), "the ticket to expire");

        using var answer = await client.GetAsync("game/late");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(2, session.Logins);
    }

    [Fact]
    public async Task Unavailable_IsRetried_AfterRetryAfterSeconds_WithJitter()
    {
        await using var bed = await PlayBed.StartAsync();
        var options = bed.Options(build: "3.0.0"); // no cluster serves 3.x: discovery answers unavailable
        var waits = new List<TimeSpan>();
        options.Delay = (wait, _) =>
        {
            waits.Add(wait);
            return Task.CompletedTask;
        };
        options.Retry.MaxAttempts = 3;
        using var session = new RedWhiteSession(options);

        var login = await session.LoginAsync();
        Assert.Equal(LoginDecision.Unavailable, login.Decision);
        Assert.False(login.HasTicket);
        Assert.NotNull(login.RetryAfter);
        Assert.Equal(3, session.Logins);
        Assert.Equal(2, waits.Count);
        Assert.All(waits, wait => Assert.InRange(wait, login.RetryAfter!.Value, login.RetryAfter.Value + options.Retry.MaxDelay));

        await Assert.ThrowsAsync<RedWhiteNoTicketException>(() => session.CreateGatewayClient().GetAsync("game/state"));
    }

    [Fact]
    public async Task RateLimited_IsRetried_AfterRetryAfter_ThenSurfacedWithItsCode()
    {
        await using var bed = await PlayBed.StartAsync(
            ("Discovery:RateLimits:Enabled", "true"), ("Discovery:RateLimits:PerDevice:PermitLimit", "1"), ("Discovery:RateLimits:PerDevice:Window", "00:01:00"));
        var options = bed.Options();
        var waits = new List<TimeSpan>();
        options.Delay = (wait, _) =>
        {
            waits.Add(wait);
            return Task.CompletedTask;
        };
        options.Retry.MaxAttempts = 2;
        using var session = new RedWhiteSession(options);
        await session.LoginAsync();

        var refused = await Assert.ThrowsAsync<RedWhiteRequestFailedException>(() => session.LoginAsync());
        Assert.Equal(429, refused.Status);
        Assert.Equal("rate_limited", refused.Code);
        var wait = Assert.Single(waits);
        Assert.True(wait >= TimeSpan.FromSeconds(1), $"waited {wait} before retrying a 429 with Retry-After");
    }

    [Fact]
    public void Backoff_SpreadsClientsOut_AndNeverWaitsLessThanTheServerAsked()
    {
        var options = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(30) };
        var backoff = new Backoff(options);
        var waits = Enumerable.Range(0, 200).Select(_ => backoff.Delay(3, TimeSpan.FromSeconds(5))).ToList();
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(9)));
        Assert.True(waits.Distinct().Count() > 150, "two hundred clients should not wait the same time");
        Assert.InRange(new Backoff(options, () => 0.999).Delay(20, null), TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task DrainSignal_IsRaisedOnce_AndTheNaturalBreakMovesThePlayer()
    {
        await using var bed = await PlayBed.StartAsync();
        using var session = new RedWhiteSession(bed.Options());
        var signals = new List<DrainSignal>();
        session.DrainSignalled += (_, signal) => signals.Add(signal);
        using var client = session.CreateGatewayClient();
        await session.LoginAsync();
        var deadline = DateTimeOffset.UtcNow.AddHours(1);
        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Draining, new DateTimeOffset(deadline.Year, deadline.Month, deadline.Day, deadline.Hour, deadline.Minute, deadline.Second, TimeSpan.Zero)), bed.RedCluster(ClusterState.Active));

        for (var i = 0; i < 3; i++)
        {
            using var answer = await client.GetAsync("game/match");
            Assert.Equal("white-1.0", await ClusterOfAsync(answer)); // a draining cluster still serves its players mid-match
        }

        var signal = Assert.Single(signals);
        Assert.Equal("white-1.0", signal.Cluster);
        Assert.NotNull(signal.Deadline);
        Assert.True(session.RediscoveryPending);

        var atBreak = await session.AtNaturalBreakAsync();
        Assert.True(atBreak.Rediscovered);
        Assert.Equal("red-1.1", atBreak.Login!.Cluster);
        Assert.False(session.RediscoveryPending);
        using (var next = await client.GetAsync("game/next-match"))
        {
            Assert.Equal("red-1.1", await ClusterOfAsync(next));
        }

        Assert.False((await session.AtNaturalBreakAsync()).Rediscovered); // nothing pending: no login
    }

    [Fact]
    public async Task AnnouncedConfig_IsDownloadedInTheBackground_AndSwitchedAtTheNaturalBreak()
    {
        await using var bed = await PlayBed.StartAsync();
        using var session = new RedWhiteSession(bed.Options());
        var announced = new List<string>();
        session.ConfigAnnounced += (_, version) => announced.Add(version);
        using var client = session.CreateGatewayClient();
        await session.LoginAsync();
        var first = session.ConfigVersion;

        // The studio rolls a new config out to white (announced at once here: Configs:AnnounceDelay is 0).
        var next = bed.Registry.PublishConfig("{\"cluster\":\"white-1.0\",\"difficulty\":2}");
        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Active) with { ConfigVersion = next });
        await Eventually.TrueAsync(async () =>
        {
            using var answer = await client.GetAsync("game/tick");
            return answer.Headers.TryGetValues("RW-Config", out var values) && values.Single() == next;
        }, "the gateway to announce the new config");

        Assert.Equal([next], announced);
        Assert.Equal(first, session.ConfigVersion); // not mid-match
        await Eventually.TrueAsync(() => session.PendingConfig == next, "the announced config to be downloaded and ready");
        Assert.Equal(1, session.ConfigDownloads);
        var atBreak = await session.AtNaturalBreakAsync();
        Assert.Equal(next, atBreak.SwitchedConfig);
        Assert.Equal(next, session.ConfigVersion);
        Assert.False(atBreak.Rediscovered);
    }

    /// <summary>The ticket each request left the client with, by path (the gateway forwards none upstream).</summary>
    private sealed class SentTickets() : DelegatingHandler(new HttpClientHandler())
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> tickets = new();

        public string? this[string path] => tickets[path];

        public bool Contains(string path) => tickets.ContainsKey(path);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            tickets[request.RequestUri!.AbsolutePath] = request.Headers.TryGetValues(RedWhiteSession.TicketHeader, out var values) ? values.Single() : null;
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Discovery as the client reaches it, with logins held back while <see cref="Hold"/> is in force.</summary>
    private sealed class HeldLogins : IHttpTransport, IDisposable
    {
        private readonly HttpClientTransport inner = new();
        private TaskCompletionSource gate = CompletedGate();
        private int sent;
        private int waiting;

        public int Sent => Volatile.Read(ref sent);

        public int Waiting => Volatile.Read(ref waiting);

        public void Hold() => gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => gate.TrySetResult();

        public async Task<TransportResponse> SendAsync(TransportRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref sent);
            Interlocked.Increment(ref waiting);
            try
            {
                await gate.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref waiting);
            }

            return await inner.SendAsync(request, cancellationToken);
        }

        public void Dispose()
        {
            Release();
            inner.Dispose();
        }

        private static TaskCompletionSource CompletedGate()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }
    }

    internal static async Task<string?> ClusterOfAsync(HttpResponseMessage answer)
    {
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("cluster").GetString();
    }
}
