using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace RedWhite.Core.Configs;

/// <summary>Why a document has no canonical form.</summary>
public enum CanonicalJsonProblem
{
    /// <summary>Not JSON (syntax error, truncated, too deep).</summary>
    Malformed,

    /// <summary>JSON, but not an object at the top.</summary>
    NotAnObject,

    /// <summary>An object names the same member twice: which one counts would be a guess.</summary>
    DuplicateMember,
}

/// <summary>
/// The canonical form of a config document, from which its content address is computed: whitespace outside
/// strings removed, object members sorted by ordinal name at every depth, and every number, string and
/// member name exactly as written (no re-encoding, so what the author wrote is what servers and clients get).
/// </summary>
public static class CanonicalJson
{
    /// <summary>Deepest nesting accepted.</summary>
    public const int MaxDepth = 64;

    /// <summary>The canonical bytes of <paramref name="utf8"/>, or null with <paramref name="problem"/> and a <paramref name="detail"/> saying where.</summary>
    public static byte[]? TryCanonicalize(ReadOnlySpan<byte> utf8, out CanonicalJsonProblem problem, out string detail)
    {
        problem = default;
        detail = "";
        if (FirstInvalidUtf8(utf8) is var bad and >= 0)
        {
            // The JSON reader checks string bytes only when a string is decoded; the canonical form keeps strings as
            // written, so invalid bytes (or an overlong encoding) would be stored and served as application/json.
            problem = CanonicalJsonProblem.Malformed;
            detail = $"Not valid UTF-8 at byte {bad + 1}.";
            return null;
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                problem = CanonicalJsonProblem.Malformed;
                detail = "The body is empty.";
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                problem = CanonicalJsonProblem.NotAnObject;
                detail = $"A config is a JSON object; this is a {reader.TokenType}.";
                return null;
            }

            var node = ReadValue(ref reader);
            if (reader.Read())
            {
                problem = CanonicalJsonProblem.Malformed;
                detail = "Something follows the object.";
                return null;
            }

            var output = new ArrayBufferWriter<byte>(utf8.Length);
            node.WriteTo(output);
            return output.WrittenSpan.ToArray();
        }
        catch (JsonException ex)
        {
            problem = CanonicalJsonProblem.Malformed;
            detail = $"Not valid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}.";
            return null;
        }
        catch (DuplicateMemberException ex)
        {
            problem = CanonicalJsonProblem.DuplicateMember;
            detail = $"Member '{ex.Name}' appears twice in one object.";
            return null;
        }
        catch (UnpairedSurrogateException ex)
        {
            problem = CanonicalJsonProblem.Malformed;
            detail = $"The string at byte {ex.Position + 1} escapes half of a UTF-16 surrogate pair (\\uD800-\\uDFFF alone), which no text holds.";
            return null;
        }
    }

    /// <summary>The index of the first byte that is not part of well-formed UTF-8 (overlong forms and surrogates included), or -1.</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var at = 0;
        while (at < utf8.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8[at..], out _, out var consumed) != OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
        }

        return -1;
    }

    /// <summary>The content address of canonical bytes: <c>sha256-</c> and 64 lowercase hex digits.</summary>
    public static string Address(ReadOnlySpan<byte> canonical) => "sha256-" + Convert.ToHexStringLower(SHA256.HashData(canonical));

    private static Node ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var members = new List<(string Name, byte[] RawName, Node Value)>();
                var names = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = Decode(ref reader);
                    var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
                    if (!names.Add(name))
                    {
                        throw new DuplicateMemberException(name.Length > 64 ? name[..64] : name);
                    }

                    reader.Read();
                    members.Add((name, raw, ReadValue(ref reader)));
                }

                members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                return new ObjectNode(members);
            case JsonTokenType.StartArray:
                var items = new List<Node>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader));
                }

                return new ArrayNode(items);
            case JsonTokenType.String:
                if (reader.ValueIsEscaped)
                {
                    _ = Decode(ref reader); // its escapes must make text: no half surrogate pair
                }

                // ValueSpan is the string as written, escapes included; put the quotes back.
                var text = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
                return new RawNode([(byte)'"', .. text, (byte)'"']);
            default:
                // number, true, false, null: exactly the bytes written
                return new RawNode(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray());
        }
    }

    /// <summary>A string or member name as text; throws <see cref="UnpairedSurrogateException"/> when its escapes make none.</summary>
    private static string Decode(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new UnpairedSurrogateException(reader.TokenStartIndex);
        }
    }

    private sealed class UnpairedSurrogateException(long position) : Exception
    {
        public long Position { get; } = position;
    }

    private abstract class Node
    {
        public abstract void WriteTo(IBufferWriter<byte> output);
    }

    private sealed class RawNode(byte[] bytes) : Node
    {
        public override void WriteTo(IBufferWriter<byte> output) => output.Write(bytes);
    }

    private sealed class ArrayNode(List<Node> items) : Node
    {
        public override void WriteTo(IBufferWriter<byte> output)
        {
            output.Write("["u8);
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    output.Write(","u8);
                }

                items[i].WriteTo(output);
            }

            output.Write("]"u8);
        }
    }

    private sealed class ObjectNode(List<(string Name, byte[] RawName, Node Value)> members) : Node
    {
        public override void WriteTo(IBufferWriter<byte> output)
        {
            output.Write("{"u8);
            for (var i = 0; i < members.Count; i++)
            {
                if (i > 0)
                {
                    output.Write(","u8);
                }

                output.Write("\""u8);
                output.Write(members[i].RawName);
                output.Write("\":"u8);
                members[i].Value.WriteTo(output);
            }

            output.Write("}"u8);
        }
    }

    private sealed class DuplicateMemberException(string name) : Exception(name)
    {
        public string Name { get; } = name;
    }
}
