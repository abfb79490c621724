using System.Text.RegularExpressions;

namespace RedWhite.Core.Configs;

/// <summary>The shape of a config's content address.</summary>
public static partial class ConfigVersion
{
    /// <summary>Message used wherever the rule fails.</summary>
    public const string Message = "Must be sha256- followed by 64 lowercase hex digits (a config's content address).";

    /// <summary>Whether <paramref name="value"/> is <c>sha256-</c> and 64 lowercase hex digits.</summary>
    public static bool IsAddress(string? value) => value is { Length: 71 } && Pattern().IsMatch(value);

    [GeneratedRegex("^sha256-[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
