using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>
/// Kestrel's socket listener with admission at the accept: each accepted socket is served, answered busy or closed
/// (see <see cref="ConnectionBudget"/>) before Kestrel spends anything on it. When the process is out of descriptors
/// anyway, accepting fails with EMFILE while the connection waits in the backlog, and Kestrel's own listener retries
/// at once, spinning a core for as long as it lasts. Here the <see cref="DescriptorReserve"/> is given back, and the
/// waiting connections are accepted and closed (refused, counted) until the process recovers.
/// </summary>
internal sealed class GuardedListener : IConnectionListener
{
    private static readonly TimeSpan ExhaustedPause = TimeSpan.FromMilliseconds(50);
    private readonly Socket listenSocket;
    private readonly SocketConnectionContextFactory factory;
    private readonly ConnectionBudget budget;
    private readonly Lane lane;
    private readonly Channel<ConnectionContext> probes = Channel.CreateUnbounded<ConnectionContext>();
    private Task<Socket>? pendingAccept;
    private Task<bool>? pendingProbe;
    private readonly bool noDelay;

    public GuardedListener(Socket listenSocket, SocketConnectionContextFactory factory, ConnectionBudget budget, bool isManagement, bool noDelay)
    {
        this.listenSocket = listenSocket;
        this.factory = factory;
        this.budget = budget;
        lane = isManagement ? Lane.Management : Lane.Public;
        this.noDelay = noDelay;
        EndPoint = listenSocket.LocalEndPoint!;
    }

    public EndPoint EndPoint { get; }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            // A health probe that arrived past the limit and was let in (see AnswerAsync) is handed over like any other.
            if (probes.Reader.TryRead(out var probe))
            {
                return probe;
            }

            pendingAccept ??= listenSocket.AcceptAsync(cancellationToken).AsTask();
            pendingProbe ??= probes.Reader.WaitToReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(pendingAccept, pendingProbe) == pendingProbe)
            {
                pendingProbe = null;
                continue;
            }

            var accepted = pendingAccept;
            pendingAccept = null;
            Socket socket;
            try
            {
                socket = await accepted;
            }
            catch (ObjectDisposedException)
            {
                return null; // unbound
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return null; // unbound
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException e) when (LocalExhaustion.Is(e))
            {
                await ExhaustedAsync(cancellationToken);
                continue;
            }
            catch (SocketException)
            {
                continue; // reset while in the backlog
            }

            switch (budget.Admit(lane))
            {
                case Admission.Serve:
                    if (socket.LocalEndPoint is IPEndPoint)
                    {
                        socket.NoDelay = noDelay;
                    }

                    return new GuardedConnection(factory.Create(socket), budget, lane);
                case Admission.AnswerBusy:
                    _ = AnswerAsync(socket);
                    break;
                default:
                    socket.Dispose();
                    break;
            }
        }
    }

    /// <summary>A connection past the limit: served in the probes' allowance if it is a health probe, else answered busy.</summary>
    private async Task AnswerAsync(Socket socket)
    {
        try
        {
            if (await BusyAnswer.IsProbeAsync(socket) && budget.Admit(Lane.Probe) == Admission.Serve)
            {
                probes.Writer.TryWrite(new GuardedConnection(factory.Create(socket), budget, Lane.Probe));
                return;
            }

            await BusyAnswer.AnswerAsync(socket);
        }
        finally
        {
            budget.Answered();
        }
    }

    /// <summary>
    /// Out of descriptors: the reserve is given back, so the connection waiting in the backlog can be accepted and closed
    /// (the budget refuses every connection while the reserve is exhausted). Already given back: pause, rather than spin.
    /// </summary>
    private async Task ExhaustedAsync(CancellationToken cancellationToken)
    {
        if (budget.Reserved is { Exhausted: false } reserve)
        {
            reserve.Exhaust();
            return;
        }

        await Task.Delay(ExhaustedPause, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        listenSocket.Dispose();
        return default;
    }

    public ValueTask DisposeAsync()
    {
        listenSocket.Dispose();
        probes.Writer.TryComplete();
        factory.Dispose();
        return default;
    }
}
