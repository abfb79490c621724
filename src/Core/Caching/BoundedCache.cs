using System.Collections.Concurrent;

namespace RedWhite.Core.Caching;

/// <summary>
/// Values remembered by their text, for hot paths where a handful of values repeat across millions of
/// requests (client builds, ticket fields). Bounded: past its capacity it remembers nothing new, so
/// made-up input cannot grow it without end. Looked up by string or by span, without allocating.
/// </summary>
/// <typeparam name="TValue">What is remembered.</typeparam>
public sealed class BoundedCache<TValue>
{
    private readonly ConcurrentDictionary<string, TValue> values = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TValue>.AlternateLookup<ReadOnlySpan<char>> bySpan;
    private readonly int capacity;
    private int count;

    /// <summary>Creates a cache that remembers at most <paramref name="capacity"/> values.</summary>
    public BoundedCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
        bySpan = values.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The value remembered for <paramref name="key"/>, if any.</summary>
    public bool TryGet(ReadOnlySpan<char> key, out TValue value) => bySpan.TryGetValue(key, out value!);

    /// <summary>Remembers <paramref name="value"/> unless the cache is full; returns it either way.</summary>
    public TValue Remember(string key, TValue value)
    {
        if (Volatile.Read(ref count) < capacity && values.TryAdd(key, value))
        {
            Interlocked.Increment(ref count);
        }

        return value;
    }
}
