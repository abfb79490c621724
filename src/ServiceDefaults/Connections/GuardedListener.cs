using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>
/// Kestrel's socket listener with admission at the accept: each accepted socket is served, answered busy or closed
/// (see <see cref="ConnectionBudget"/>) before Kestrel spends anything on it. And when the process is out of
/// descriptors anyway, accepting fails with EMFILE while the connection waits in the backlog; Kestrel's own
/// listener retries at once, spinning a core for as long as it lasts. Here a spare descriptor is given up to
/// accept that connection and close it (counted), and taken back: the backlog is refused, not spun on.
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
    private readonly ILogger logger;
    private SafeFileHandle? spare;
    private long exhaustedSince = -1;

    public GuardedListener(Socket listenSocket, SocketConnectionContextFactory factory, ConnectionBudget budget, bool isManagement, bool noDelay, ILogger logger)
    {
        this.listenSocket = listenSocket;
        this.factory = factory;
        this.budget = budget;
        lane = isManagement ? Lane.Management : Lane.Public;
        this.noDelay = noDelay;
        this.logger = logger;
        EndPoint = listenSocket.LocalEndPoint!;
        spare = OpenSpare();
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
                await RefuseWithSpareAsync(cancellationToken);
                continue;
            }
            catch (SocketException)
            {
                continue; // reset while in the backlog
            }

            if (Volatile.Read(ref exhaustedSince) >= 0)
            {
                Volatile.Write(ref exhaustedSince, -1);
                Log.DescriptorsBack(logger, EndPoint.ToString() ?? "");
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

    /// <summary>Out of descriptors: accept the waiting connection with the spare one and close it; pause if there is no spare.</summary>
    private async Task RefuseWithSpareAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref exhaustedSince, Environment.TickCount64, -1) == -1)
        {
            Log.DescriptorsExhausted(logger, EndPoint.ToString() ?? "", ProcessDescriptors.OpenFileLimit() ?? -1);
        }

        var held = Interlocked.Exchange(ref spare, null);
        if (held is null)
        {
            spare = OpenSpare();
            await Task.Delay(ExhaustedPause, cancellationToken).ConfigureAwait(false);
            return;
        }

        held.Dispose();
        try
        {
            using var waiting = await listenSocket.AcceptAsync(cancellationToken);
            waiting.LingerState = new LingerOption(true, 0);
            budget.RefusedForDescriptors();
        }
        catch (SocketException)
        {
            // someone else took the freed descriptor first: pause below
        }
        finally
        {
            spare = OpenSpare();
        }

        if (spare is null)
        {
            await Task.Delay(ExhaustedPause, cancellationToken).ConfigureAwait(false);
        }
    }

    private static SafeFileHandle? OpenSpare()
    {
        try
        {
            return File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // out of descriptors (or no /dev/null): try again at the next refusal
        }
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
        spare?.Dispose();
        factory.Dispose();
        return default;
    }
}
