using System.Net.Sockets;
using RedWhite.ServiceDefaults.Connections;
using Yarp.ReverseProxy.Forwarder;

namespace RedWhite.Gateway.Hosting;

/// <summary>
/// YARP's client to the game servers, except that while the process is out of descriptors (the
/// <see cref="DescriptorReserve"/> was given back) it opens no new upstream connection: the request fails at once as a
/// local exhaustion (answered <c>gateway_busy</c>, never counted against the game server). The descriptors given back
/// are for the runtime's own needs (a new thread reads <c>/proc/self/status</c>, and ends the process when it cannot);
/// requests already past the accept would otherwise spend them on upstream sockets first. Pooled connections are
/// reused as before.
/// </summary>
internal sealed class ReserveKeepingClientFactory(DescriptorReserve reserve) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectCallback = async (connect, cancellationToken) =>
        {
            if (reserve.Exhausted)
            {
                throw new SocketException((int)SocketError.TooManyOpenSockets);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(connect.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }
}
