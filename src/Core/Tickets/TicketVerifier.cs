using System.Collections.Concurrent;

namespace RedWhite.Core.Tickets;

/// <summary>
/// Verifies tickets on the gateway's hot path. A player sends the same ticket on every request for
/// its whole lifetime, so the HMAC is computed once per distinct ticket and later requests cost one
/// dictionary lookup and no allocation. Only tickets that passed the HMAC are remembered, keyed by
/// their exact text, so the cache can never accept a ticket the codec would refuse; expiry is still
/// checked on every request.
/// </summary>
/// <remarks>
/// Two generations bound the memory: when the current one fills up it becomes the previous one and
/// the one before is dropped, so active tickets (hit since the last turn) survive and idle ones age out.
/// </remarks>
public sealed class TicketVerifier
{
    /// <summary>Default number of tickets per generation.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly TicketCodec codec;
    private readonly int capacity;
    private readonly object turnover = new();
    private Generation current = new();
    private Generation previous = new();

    /// <summary>Creates a verifier over <paramref name="codec"/>.</summary>
    public TicketVerifier(TicketCodec codec, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.codec = codec;
        this.capacity = capacity;
    }

    /// <summary>Verifies <paramref name="token"/> as <see cref="TicketCodec.Verify"/> does.</summary>
    public TicketStatus Verify(ReadOnlySpan<char> token, DateTimeOffset now, out RoutingTicket? ticket)
    {
        var fresh = Volatile.Read(ref current);
        if (fresh.Lookup.TryGetValue(token, out var known) || Promote(token, fresh, out known))
        {
            ticket = known;
            return known.ExpiresAt <= now ? TicketStatus.Expired : TicketStatus.Valid;
        }

        var status = codec.Verify(token, now, out ticket);
        if (status == TicketStatus.Valid)
        {
            Remember(token, ticket!, fresh);
        }

        return status;
    }

    private bool Promote(ReadOnlySpan<char> token, Generation fresh, out RoutingTicket known)
    {
        if (!Volatile.Read(ref previous).Lookup.TryGetValue(token, out known!))
        {
            return false;
        }

        Remember(token, known, fresh);
        return true;
    }

    private void Remember(ReadOnlySpan<char> token, RoutingTicket ticket, Generation fresh)
    {
        if (fresh.Lookup.TryAdd(token, ticket) && Interlocked.Increment(ref fresh.Count) >= capacity)
        {
            lock (turnover)
            {
                if (ReferenceEquals(current, fresh))
                {
                    Volatile.Write(ref previous, fresh);
                    Volatile.Write(ref current, new Generation());
                }
            }
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<string, RoutingTicket>.AlternateLookup<ReadOnlySpan<char>> Lookup =
            new ConcurrentDictionary<string, RoutingTicket>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        public int Count;
    }
}
