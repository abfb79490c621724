using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>
/// A served connection as Kestrel sees it: the transport's own, holding its place in the <see cref="ConnectionBudget"/>
/// until Kestrel disposes it. Kestrel tells a connection it upgrades through
/// <see cref="IDecrementConcurrentConnectionCountFeature"/> (its own limit lets the connection go there); here an
/// upgrade keeps its place and is only counted as upgraded.
/// </summary>
internal sealed class GuardedConnection : ConnectionContext, IDecrementConcurrentConnectionCountFeature
{
    private readonly ConnectionContext inner;
    private readonly ConnectionBudget budget;
    private readonly Lane lane;
    private int upgraded;
    private int released;

    public GuardedConnection(ConnectionContext inner, ConnectionBudget budget, Lane lane)
    {
        this.inner = inner;
        this.budget = budget;
        this.lane = lane;
        inner.Features.Set<IDecrementConcurrentConnectionCountFeature>(this);
    }

    public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

    public override IFeatureCollection Features => inner.Features;

    public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

    public override IDuplexPipe Transport { get => inner.Transport; set => inner.Transport = value; }

    public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

    public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

    public override CancellationToken ConnectionClosed { get => inner.ConnectionClosed; set => inner.ConnectionClosed = value; }

    public override void Abort() => inner.Abort();

    public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

    /// <summary>Kestrel upgraded the connection (a WebSocket): still open, still counted.</summary>
    public void ReleaseConnection()
    {
        if (lane == Lane.Public && Interlocked.Exchange(ref upgraded, 1) == 0)
        {
            budget.Upgraded();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await inner.DisposeAsync();
        }
        finally
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                budget.Release(lane, Volatile.Read(ref upgraded) == 1);
            }
        }
    }
}
