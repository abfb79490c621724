namespace RedWhite.Core.Validation;

/// <summary>
/// Start-up checks on secrets (ticket signing keys, admin API keys): a key can be long enough and still
/// be guessable. Thresholds are far below what any random key shows (32 random bytes hold about 30
/// distinct values; 32 random base64 characters about 27), so only made-up keys are refused.
/// </summary>
public static class SecretQuality
{
    /// <summary>Why <paramref name="secret"/> is visibly not random, or <c>null</c>.</summary>
    public static string? Weakness<T>(ReadOnlySpan<T> secret)
        where T : unmanaged, IEquatable<T>, IComparable<T>
    {
        if (secret.IsEmpty)
        {
            return "it is empty";
        }

        var distinct = new HashSet<T>();
        foreach (var item in secret)
        {
            distinct.Add(item);
        }

        if (distinct.Count == 1)
        {
            return "it repeats one value";
        }

        if (IsProgression(secret))
        {
            return "it is a counting sequence";
        }

        var needed = Math.Min(secret.Length / 4, 16);
        return distinct.Count < needed ? $"it holds only {distinct.Count} distinct values" : null;
    }

    /// <summary>0,1,2,3… or any other run with one fixed step, up or down.</summary>
    private static bool IsProgression<T>(ReadOnlySpan<T> secret)
        where T : unmanaged, IEquatable<T>, IComparable<T>
    {
        if (secret.Length < 3)
        {
            return false;
        }

        var step = Difference(secret[1], secret[0]);
        for (var i = 2; i < secret.Length; i++)
        {
            if (Difference(secret[i], secret[i - 1]) != step)
            {
                return false;
            }
        }

        return true;
    }

    private static long Difference<T>(T a, T b)
        where T : unmanaged => Convert.ToInt64(a, System.Globalization.CultureInfo.InvariantCulture) - Convert.ToInt64(b, System.Globalization.CultureInfo.InvariantCulture);
}
