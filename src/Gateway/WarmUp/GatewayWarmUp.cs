using System.Diagnostics;
using System.Runtime;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using RedWhite.Core.Tickets;
using RedWhite.Gateway.Configuration;
using RedWhite.Gateway.Tickets;
using RedWhite.Registry.Monitoring;
using Yarp.ReverseProxy;

namespace RedWhite.Gateway.WarmUp;

/// <summary>
/// Warms the gateway before it reports ready (<c>Gateway:WarmUp</c>): once the server listens and the registry is
/// loaded, it sends <see cref="WarmUpOptions.Requests"/> requests with a ticket of its own through its own public
/// listener, in rounds until one makes the runtime compile nothing new, so Kestrel, the ticket step, load balancing,
/// the forwarder and its connection pool all run tiered-up code by the time the first player arrives. They go to <see cref="StandInUpstream"/>, are neither counted nor logged as
/// requests, and <c>/readyz</c> says <c>warming-up</c> meanwhile. A warm-up that fails or runs out of time only
/// logs: the gateway then becomes ready cold.
/// </summary>
internal sealed partial class GatewayWarmUp(
    IOptions<GatewayOptions> options, WarmUpState state, StandInCluster standInCluster, RegistryMonitor registry, RegistryProxyConfigProvider proxyConfig,
    IProxyStateLookup proxy, TicketCodec tickets, IServer server, IConfiguration configuration, TimeProvider time, ILogger<GatewayWarmUp> logger)
    : IHostedLifecycleService, IDisposable
{
    /// <summary>Each loop's share of a round: enough for a method to pass the runtime's tier-up call count many times over.</summary>
    private const int RequestsPerLoopAndRound = 16;

    /// <summary>Rounds before the warm-up may stop: the first always compiles, the second sees what tiering queued.</summary>
    private const int MinRounds = 2;

    private readonly WarmUpOptions settings = options.Value.WarmUp;
    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;

    /// <summary>What the warm-up did (for logs and tests); null until it ends.</summary>
    public WarmUpResult? Result { get; private set; }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (settings.Requests > 0)
        {
            state.Begin(); // before the server listens: no probe may see the gateway ready and cold
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (settings.Requests > 0)
        {
            running = Task.Run(() => RunAsync(stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await running;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => stopping.Dispose();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (SelfAddress() is not { } self)
            {
                LogSkipped(logger, "the server has no http:// address to send to");
                return;
            }

            while (!registry.Status.Ready)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken); // readiness waits for the registry anyway
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(settings.Timeout);
            var clock = Stopwatch.StartNew();
            await using var standIn = StandInUpstream.Start();
            standInCluster.Open(standIn.Address);
            try
            {
                proxyConfig.Refresh();
                while (!proxy.TryGetCluster(StandInCluster.Id, out _))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
                }

                var ticket = tickets.Issue("rw-warm-up", StandInCluster.Id, "0.0.0", null, time.GetUtcNow()).Ticket;
                var result = await SendAsync(self, ticket, deadline.Token);
                Result = result;
                LogDone(logger, result.Sent, result.Failed, clock.Elapsed.TotalSeconds, result.Settled);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogTimedOut(logger, settings.Timeout, standIn.Answered);
            }
            finally
            {
                standInCluster.Close();
                proxyConfig.Refresh();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the gateway is stopping
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex);
        }
        finally
        {
            state.End();
        }
    }

    /// <summary>
    /// Sends rounds of requests from <see cref="WarmUpOptions.Concurrency"/> loops until <see cref="WarmUpOptions.QuietRounds"/>
    /// rounds in a row make the runtime compile nothing new (the path is compiled and tiered up), or
    /// <see cref="WarmUpOptions.Requests"/> are sent.
    /// </summary>
    private async Task<WarmUpResult> SendAsync(Uri self, string ticket, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = self,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.Add(RouteHeaders.Ticket, ticket);
        var round = settings.Concurrency * RequestsPerLoopAndRound;
        var sent = 0;
        var failed = 0;
        var rounds = 0;
        var quiet = 0;
        var compiled = JitInfo.GetCompiledMethodCount();
        while (sent < settings.Requests)
        {
            var size = Math.Min(round, settings.Requests - sent);
            failed += await RoundAsync(client, size, cancellationToken);
            sent += size;
            rounds++;
            var before = compiled;
            compiled = JitInfo.GetCompiledMethodCount();
            quiet = compiled == before ? quiet + 1 : 0;
            if (rounds >= MinRounds && quiet >= settings.QuietRounds)
            {
                return new WarmUpResult(sent, failed, Settled: true);
            }
        }

        return new WarmUpResult(sent, failed, Settled: false);
    }

    private async Task<int> RoundAsync(HttpClient client, int requests, CancellationToken cancellationToken)
    {
        var next = 0;
        var failed = 0;
        var loops = Enumerable.Range(0, Math.Min(settings.Concurrency, requests)).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                using var response = await client.GetAsync("/", HttpCompletionOption.ResponseContentRead, cancellationToken);
                if (response.StatusCode != System.Net.HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        });
        await Task.WhenAll(loops);
        return failed;
    }

    /// <summary>The server's first plain-HTTP public address, as a loopback URL (never the management listener's).</summary>
    private Uri? SelfAddress()
    {
        var management = ServiceDefaults.Telemetry.ManagementPorts(configuration);
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (!address.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
                BindingAddress.Parse(address) is not { Port: > 0 } binding || management.Contains(binding.Port))
            {
                continue;
            }

            // Bound to every interface or a name: reach it on loopback. Bound to one address: use that address.
            var host = binding.Host switch
            {
                "0.0.0.0" or "*" or "+" or "localhost" => "127.0.0.1",
                "[::]" => "[::1]",
                var specific => specific,
            };
            return new Uri($"http://{host}:{binding.Port}/");
        }

        return null;
    }

    [LoggerMessage(3010, LogLevel.Information, "Warm-up done: {Requests} requests through the gateway's own pipeline ({Failed} not answered 200) in {Seconds:0.00} s; compilation settled: {Settled}")]
    private static partial void LogDone(ILogger logger, int requests, int failed, double seconds, bool settled);

    [LoggerMessage(3011, LogLevel.Warning, "Warm-up ran out of its {Timeout} after {Answered} requests; the gateway reports ready without it")]
    private static partial void LogTimedOut(ILogger logger, TimeSpan timeout, int answered);

    [LoggerMessage(3012, LogLevel.Warning, "Warm-up failed; the gateway reports ready without it")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(3013, LogLevel.Information, "Warm-up skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);
}

/// <summary>What a warm-up did: requests sent, those not answered 200, and whether compilation settled before the limit.</summary>
internal sealed record WarmUpResult(int Sent, int Failed, bool Settled);
