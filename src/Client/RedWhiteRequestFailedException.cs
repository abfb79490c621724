namespace RedWhite.Client;

/// <summary>A call RedWhite refused or could not answer, with the problem's code (<c>ticket_invalid</c>, <c>rate_limited</c>, …).</summary>
public class RedWhiteRequestFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedWhiteRequestFailedException(int status, string? code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        Code = code;
    }

    /// <summary>The HTTP status (0 when no answer came).</summary>
    public int Status { get; }

    /// <summary>The problem's <c>code</c>, when the answer had one.</summary>
    public string? Code { get; }
}

/// <summary>
/// A request needed a ticket, but the last login gave none: the build must update (<see cref="LoginDecision.UpdateRequired"/>)
/// or nothing serves it yet (<see cref="LoginDecision.Unavailable"/>). <see cref="Login"/> says which, with the store URL.
/// </summary>
public sealed class RedWhiteNoTicketException : RedWhiteRequestFailedException
{
    /// <summary>Creates the exception.</summary>
    public RedWhiteNoTicketException(LoginResult login)
        : base(0, null, $"No ticket: discovery decided '{login?.Decision}'.")
    {
        Login = login ?? throw new ArgumentNullException(nameof(login));
    }

    /// <summary>The login that gave no ticket.</summary>
    public LoginResult Login { get; }
}

/// <summary>A downloaded config whose bytes do not hash to its version: never used, never cached.</summary>
public sealed class RedWhiteConfigIntegrityException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedWhiteConfigIntegrityException(string version, string actual)
        : base($"The config downloaded as {version} hashes to {actual}.")
    {
        Version = version;
    }

    /// <summary>The version asked for.</summary>
    public string Version { get; }
}
