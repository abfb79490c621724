using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RedWhite.Server;

/// <summary>
/// The demo server's direct-connect mode (<c>Demo:Udp:Port</c>): a UDP game that admits only players with a valid pass.
/// One datagram each way, text: <c>JOIN &lt;pass&gt;</c> answers <c>WELCOME &lt;player&gt; &lt;server&gt;</c> or
/// <c>REFUSED &lt;status&gt; &lt;reason&gt;</c>; from an admitted address <c>PING</c> answers <c>PONG &lt;server&gt; &lt;player&gt;</c>
/// and <c>LEAVE</c> leaves. A player silent for a minute is dropped. Heartbeats report the players it holds. An address
/// that has not joined gets an answer to <c>JOIN</c> only, never longer than what it sent (source addresses can be forged).
/// </summary>
internal sealed class UdpGame(UdpClient socket, PassVerifier passes, string name, HeartbeatReporter? heartbeats, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<IPEndPoint, (string Player, DateTimeOffset Seen)> players = new();

    public int Port => ((IPEndPoint)socket.Client.LocalEndPoint!).Port;

    public int Players => players.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reporting = heartbeats?.RunAsync(stoppingToken) ?? Task.CompletedTask;
        while (!stoppingToken.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await socket.ReceiveAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                continue; // an ICMP "port unreachable" from a client that left
            }

            var joined = players.ContainsKey(datagram.RemoteEndPoint);
            var message = Encoding.ASCII.GetString(datagram.Buffer);
            if (!joined && !message.StartsWith("JOIN ", StringComparison.Ordinal))
            {
                continue; // an address that has not joined gets nothing back but for a JOIN: no reflection off this server
            }

            var reply = Encoding.ASCII.GetBytes(await AnswerAsync(datagram.RemoteEndPoint, message, stoppingToken));
            if (!joined && reply.Length > datagram.Buffer.Length)
            {
                // UDP source addresses can be forged: never answer an unverified one with more than it sent (no amplification).
                reply = reply[..datagram.Buffer.Length];
            }

            await socket.SendAsync(reply, datagram.RemoteEndPoint, stoppingToken);
            Prune();
            if (heartbeats is not null)
            {
                heartbeats.Players = players.Count;
            }
        }

        await reporting;
    }

    private async Task<string> AnswerAsync(IPEndPoint from, string message, CancellationToken cancellationToken)
    {
        if (message.StartsWith("JOIN ", StringComparison.Ordinal))
        {
            var result = await passes.VerifyAsync(message[5..].Trim(), cancellationToken);
            if (!result.IsValid)
            {
                logger.LogWarning("Refused a join from {Address}: {Status} ({Reason})", from, result.Status, result.Reason);
                return $"REFUSED {result.Status} {result.Reason}";
            }

            players[from] = (result.Pass!.PlayerId, DateTimeOffset.UtcNow);
            return $"WELCOME {result.Pass.PlayerId} {name}";
        }

        if (!players.TryGetValue(from, out var seat))
        {
            return "REFUSED NotJoined join with a pass first";
        }

        switch (message.Trim())
        {
            case "PING":
                players[from] = (seat.Player, DateTimeOffset.UtcNow);
                return $"PONG {name} {seat.Player}";
            case "LEAVE":
                players.TryRemove(from, out _);
                return $"BYE {seat.Player}";
            default:
                return "REFUSED Unknown say JOIN, PING or LEAVE";
        }
    }

    private void Prune()
    {
        var cutoff = DateTimeOffset.UtcNow - Idle;
        foreach (var (address, seat) in players)
        {
            if (seat.Seen < cutoff)
            {
                players.TryRemove(address, out _);
            }
        }
    }
}
