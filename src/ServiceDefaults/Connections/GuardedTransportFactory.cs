using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>
/// Kestrel's transport for TCP endpoints: its socket listener and connections (the same
/// <see cref="SocketConnectionContextFactory"/>, with the same <see cref="SocketTransportOptions"/>), behind a
/// <see cref="GuardedListener"/>. Kestrel asks the factories registered last first; endpoints this one cannot bind
/// (Unix sockets, handles) fall to Kestrel's own.
/// </summary>
internal sealed class GuardedTransportFactory(
    IOptions<SocketTransportOptions> options, ConnectionBudget budget, IConfiguration configuration, ILoggerFactory loggers)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly HashSet<int> managementPorts = Telemetry.ManagementPorts(configuration);

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var transport = options.Value;
        var socket = transport.CreateBoundListenSocket(endpoint);
        try
        {
            socket.Listen(transport.Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connections = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions
            {
                IOQueueCount = transport.IOQueueCount,
                WaitForDataBeforeAllocatingBuffer = transport.WaitForDataBeforeAllocatingBuffer,
                MaxReadBufferSize = transport.MaxReadBufferSize,
                MaxWriteBufferSize = transport.MaxWriteBufferSize,
                UnsafePreferInlineScheduling = transport.UnsafePreferInlineScheduling,
            },
            loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        var isManagement = socket.LocalEndPoint is IPEndPoint local && managementPorts.Contains(local.Port);
        return ValueTask.FromResult<IConnectionListener>(
            new GuardedListener(socket, connections, budget, isManagement, transport.NoDelay));
    }
}
