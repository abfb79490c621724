namespace RedWhite.Core.Configs;

/// <summary>Section <c>Configs</c>.</summary>
public sealed class ConfigOptions
{
    public const string Section = "Configs";

    /// <summary>Largest config accepted, in bytes as sent (<c>Configs:MaxBytes</c>, default 1 MiB).</summary>
    public int MaxBytes { get; set; } = 1024 * 1024;
}
