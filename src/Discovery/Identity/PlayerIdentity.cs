using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace RedWhite.Discovery.Identity;

/// <summary>Registers where a login's player id comes from (<see cref="PlayerIdentityOptions"/>).</summary>
internal static class PlayerIdentity
{
    /// <summary>The authentication scheme of player tokens.</summary>
    public const string Scheme = "PlayerJwt";

    /// <summary>
    /// The identity settings, checked at start, and with a JWT configuration the bearer-token validation
    /// (signature, issuer, audience, lifetime). Anonymous mode outside Development warns at start.
    /// </summary>
    public static IHostApplicationBuilder AddPlayerIdentity(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PlayerIdentityOptions>().BindConfiguration(PlayerIdentityOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PlayerIdentityOptions>, PlayerIdentityOptionsValidator>());
        builder.Services.AddHostedService<AnonymousIdentityWarning>();
        builder.Services.AddAuthentication().AddJwtBearer(Scheme, _ => { });
        builder.Services.AddOptions<JwtBearerOptions>(Scheme).Configure<IOptions<PlayerIdentityOptions>>((jwt, identity) => Configure(jwt, identity.Value));
        return builder;
    }

    private static void Configure(JwtBearerOptions jwt, PlayerIdentityOptions identity)
    {
        // Claims keep their JWT names: the player id is "sub", not a mapped .NET claim type.
        jwt.MapInboundClaims = false;
        jwt.Audience = identity.Audience;
        jwt.RequireHttpsMetadata = identity.RequireHttpsMetadata;
        jwt.TokenValidationParameters.ValidateAudience = true;
        jwt.TokenValidationParameters.ValidAudience = identity.Audience;
        jwt.TokenValidationParameters.ValidateIssuer = true;
        jwt.TokenValidationParameters.ValidateLifetime = true;
        jwt.TokenValidationParameters.RequireExpirationTime = true;
        jwt.TokenValidationParameters.RequireSignedTokens = true;
        jwt.TokenValidationParameters.ClockSkew = identity.ClockSkew;
        if (identity.Authority is not null)
        {
            jwt.Authority = identity.Authority; // issuer and keys from its metadata document and key set
            return;
        }

        jwt.TokenValidationParameters.ValidIssuer = identity.Issuer;
        jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512];
        jwt.TokenValidationParameters.IssuerSigningKeys =
            [.. identity.SigningKeys.Select(k => new SymmetricSecurityKey(Convert.FromBase64String(k.Value)) { KeyId = k.Key })];
    }

    /// <summary>Says at start, every start, that any client may name any player.</summary>
    private sealed class AnonymousIdentityWarning(IOptions<PlayerIdentityOptions> options, IHostEnvironment environment, ILogger<AnonymousIdentityWarning> logger)
        : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!environment.IsDevelopment() && options.Value.Effective(development: false) == PlayerIdentityMode.Anonymous)
            {
                Log.AnonymousIdentity(logger, environment.EnvironmentName);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
