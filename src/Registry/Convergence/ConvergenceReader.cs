using Microsoft.Extensions.Options;

namespace RedWhite.Registry.Convergence;

/// <summary>Whether a revision has reached every live instance, and which are behind.</summary>
/// <param name="Revision">The revision asked about.</param>
/// <param name="Live">Every live Gateway and Discovery, with the revision it reported.</param>
/// <param name="Pending">The live instances that have not reported <paramref name="Revision"/> (or a later one) yet.</param>
public sealed record ConvergenceState(long Revision, IReadOnlyList<InstanceReport> Live, IReadOnlyList<InstanceReport> Pending)
{
    /// <summary>Whether every live instance routes from the revision or a later one (true when none is live).</summary>
    public bool Reached => Pending.Count == 0;

    /// <summary>How <paramref name="revision"/> stands among the <paramref name="live"/> instances.</summary>
    public static ConvergenceState Of(long revision, IReadOnlyList<InstanceReport> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        return new(revision, live, [.. live.Where(r => r.Revision < revision)]);
    }

    /// <summary>The instances behind, in words: <c>gateway gw-2 (at 13), discovery d-1 (at 12)</c>.</summary>
    public string Behind => string.Join(", ", Pending.Select(p => $"{p.Role} {p.Instance} (at {p.Revision})"));
}

/// <summary>Reads the instances' reports (Admin): who is live, and whether a revision has reached them all.</summary>
public sealed class ConvergenceReader(IInstanceStore store, IOptions<ConvergenceOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly ConvergenceOptions settings = options.Value;

    /// <summary>The longest <see cref="WaitAsync"/> waits (<c>Convergence:MaxWait</c>).</summary>
    public TimeSpan MaxWait => settings.MaxWait;

    /// <summary>
    /// Every live instance (reported within <c>Convergence:LiveTimeout</c>), gateways first, then by name. Reports twenty
    /// timeouts old are forgotten as they are read.
    /// </summary>
    public async Task<IReadOnlyList<InstanceReport>> LiveAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var reports = await store.ReadAsync(now - settings.LiveTimeout * 20, cancellationToken);
        return [.. reports.Where(r => now - r.At <= settings.LiveTimeout)
            .OrderBy(r => r.Role, StringComparer.Ordinal).ThenBy(r => r.Instance, StringComparer.Ordinal)];
    }

    /// <summary>How <paramref name="revision"/> stands now.</summary>
    public async Task<ConvergenceState> ToAsync(long revision, CancellationToken cancellationToken) =>
        ConvergenceState.Of(revision, await LiveAsync(cancellationToken));

    /// <summary>How <paramref name="revision"/> stands once it has reached every live instance, or once <paramref name="limit"/> has passed.</summary>
    public async Task<ConvergenceState> WaitAsync(long revision, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + limit;
        while (true)
        {
            var state = await ToAsync(revision, cancellationToken);
            if (state.Reached || time.GetUtcNow() >= deadline)
            {
                return state;
            }

            await Task.Delay(Poll, time, cancellationToken);
        }
    }
}
