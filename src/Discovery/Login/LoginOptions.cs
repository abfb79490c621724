namespace RedWhite.Discovery.Login;

/// <summary>Section <c>Discovery</c>.</summary>
internal sealed class LoginOptions
{
    public const string Section = "Discovery";

    /// <summary>What an <c>unavailable</c> answer tells the client to wait before retrying.</summary>
    public int RetryAfterSeconds { get; set; } = 30;
}
