using System.Text;
using RedWhite.Core.Caching;

namespace RedWhite.Core.Tickets;

/// <summary>
/// Strings decoded from UTF-8 once and shared afterwards, for ticket fields that take a handful of
/// values across millions of tickets (cluster ids, client builds, config versions). Bounded: past
/// <see cref="Capacity"/> distinct values, or for long ones, it decodes without remembering.
/// </summary>
internal sealed class FieldPool
{
    public const int Capacity = 4096;
    private const int MaxLength = 256;

    private readonly BoundedCache<string> strings = new(Capacity);

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> buffer = stackalloc char[MaxLength];
        var chars = buffer[..Encoding.UTF8.GetChars(utf8, buffer)];
        if (strings.TryGet(chars, out var known))
        {
            return known;
        }

        var value = chars.ToString();
        return strings.Remember(value, value);
    }
}
