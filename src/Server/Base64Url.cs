namespace RedWhite.Server;

/// <summary>Unpadded base64url (RFC 4648 §5), as JWS uses it; strict on decode.</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
#if NET
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
#else
        return Convert.ToBase64String(bytes.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
#endif
    }

    /// <summary>The bytes <paramref name="text"/> encodes, or null when it is not unpadded base64url.</summary>
    public static byte[]? Decode(ReadOnlySpan<char> text)
    {
        if (text.Length % 4 == 1)
        {
            return null;
        }

        foreach (var c in text)
        {
            if (!(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_'))
            {
                return null; // padding, white space and the other alphabet's characters are refused
            }
        }

        var padded = new char[text.Length + ((4 - (text.Length % 4)) % 4)];
        for (var i = 0; i < padded.Length; i++)
        {
            padded[i] = i >= text.Length ? '=' : text[i] switch { '-' => '+', '_' => '/', var c => c };
        }

        try
        {
            return Convert.FromBase64CharArray(padded, 0, padded.Length);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
