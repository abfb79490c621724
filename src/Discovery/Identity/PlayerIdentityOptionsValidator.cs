using Microsoft.Extensions.Options;

namespace RedWhite.Discovery.Identity;

/// <summary>Stops Discovery at start when the identity settings are missing or unusable, naming the key.</summary>
internal sealed class PlayerIdentityOptionsValidator(IHostEnvironment environment) : IValidateOptions<PlayerIdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, PlayerIdentityOptions options)
    {
        var failures = new List<string>();
        var mode = options.Effective(environment.IsDevelopment());
        if (mode is null)
        {
            failures.Add("Discovery:Identity is not configured. Set Discovery:Identity:Authority and :Audience (OpenID Connect), or " +
                         ":Issuer, :Audience and :SigningKeys:<kid> (your own login service), or Discovery:Identity:Mode=Anonymous " +
                         "to let any client name any player id.");
        }
        else if (mode == PlayerIdentityMode.Jwt)
        {
            var hasAuthority = options.Authority is not null;
            if (hasAuthority == options.SigningKeys.Count > 0)
            {
                failures.Add("Discovery:Identity needs exactly one key source: :Authority (OpenID Connect) or :SigningKeys:<kid> (symmetric).");
            }

            if (string.IsNullOrWhiteSpace(options.Audience))
            {
                failures.Add("Discovery:Identity:Audience must name the audience tokens are issued for.");
            }

            if (hasAuthority && (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) ||
                                 (authority.Scheme != Uri.UriSchemeHttps && (options.RequireHttpsMetadata || authority.Scheme != Uri.UriSchemeHttp))))
            {
                failures.Add("Discovery:Identity:Authority must be an absolute https URL (http only with Discovery:Identity:RequireHttpsMetadata=false).");
            }

            if (!hasAuthority && options.SigningKeys.Count > 0 && string.IsNullOrWhiteSpace(options.Issuer))
            {
                failures.Add("Discovery:Identity:Issuer must name the issuer of tokens signed with :SigningKeys.");
            }

            foreach (var (kid, value) in options.SigningKeys)
            {
                if (Base64Length(value) < 32)
                {
                    failures.Add($"Discovery:Identity:SigningKeys:{kid} must be base64 of at least 32 bytes.");
                }
            }
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            failures.Add("Discovery:Identity:ClockSkew must be between 00:00:00 and 00:05:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Decoded length of <paramref name="value"/>, or -1 when it is not base64.</summary>
    internal static int Base64Length(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) ? written : -1;
    }
}
