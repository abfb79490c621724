using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace RedWhite.Admin.Mutations;

/// <summary>
/// The <c>If-Match</c> precondition of a mutation. Entity tags are registry revisions; clients send them
/// as <c>"3"</c>, <c>W/"3"</c> or a bare <c>3</c>, or a list of them. <c>*</c> matches any revision.
/// A tag that is not a revision never matches.
/// </summary>
internal sealed class IfMatch
{
    private static readonly IfMatch Absent = new(false, false, [], "");

    private readonly long[] revisions;

    private IfMatch(bool present, bool any, long[] revisions, string raw) =>
        (Present, Any, this.revisions, Raw) = (present, any, revisions, raw);

    /// <summary>Whether the client sent the header at all.</summary>
    public bool Present { get; }

    /// <summary>Whether the client sent <c>*</c>.</summary>
    public bool Any { get; }

    /// <summary>The header as sent, for messages.</summary>
    public string Raw { get; }

    /// <summary>The client named revisions: a lost compare-and-set must be answered 412, not retried.</summary>
    public bool IsExact => Present && !Any;

    /// <summary>No precondition: apply to whatever revision is current.</summary>
    public static IfMatch None => Absent;

    /// <summary>Apply only to <paramref name="revision"/>, as a background writer that read it first would ask.</summary>
    public static IfMatch Revision(long revision) =>
        new(true, false, [revision], $"\"{revision.ToString(CultureInfo.InvariantCulture)}\"");

    public static IfMatch Parse(StringValues header)
    {
        if (StringValues.IsNullOrEmpty(header))
        {
            return Absent;
        }

        var any = false;
        var revisions = new List<long>();
        foreach (var line in header)
        {
            foreach (var part in (line ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "*")
                {
                    any = true;
                    continue;
                }

                // Only a strong entity-tag, "n", names a revision (RFC 9110 13.1.1 compares If-Match strongly): a weak
                // W/"n" or a bare n matches nothing, so the change is refused with 412 rather than applied on a guess.
                if (part.Length >= 3 && part[0] == '"' && part[^1] == '"' &&
                    long.TryParse(part.AsSpan(1, part.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
                {
                    revisions.Add(revision);
                }
            }
        }

        return new IfMatch(true, any, [.. revisions], header.ToString());
    }

    public bool Matches(long revision) => !Present || Any || revisions.Contains(revision);

    /// <summary>The revision an answer's <c>ETag</c> (<c>"n"</c>, as <see cref="RegistryMutator.ETag"/> writes it) names.</summary>
    public static bool TryParseETag(StringValues etag, out long revision)
    {
        revision = 0;
        var tag = etag.Count == 1 ? etag[0] : null;
        return tag is { Length: >= 3 } && tag[0] == '"' && tag[^1] == '"' &&
            long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out revision);
    }
}
