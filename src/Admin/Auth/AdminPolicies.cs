using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RedWhite.Admin.Auth;

/// <summary>The three things a key can be allowed to do, and the setup of API-key authentication.</summary>
internal static class AdminPolicies
{
    /// <summary>Read the registry, history and audit log: every role.</summary>
    public const string Read = "admin.read";

    /// <summary>Pin and unpin devices: QA and release managers.</summary>
    public const string Pin = "admin.pin";

    /// <summary>Everything else that changes the registry: release managers.</summary>
    public const string Release = "admin.release";

    /// <summary>API-key authentication, the policies, and the start-up check of the keys.</summary>
    public static IHostApplicationBuilder AddApiKeyAuth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>());
        builder.Services.TryAddSingleton<ApiKeyRing>();
        builder.Services.TryAddSingleton<KeyGuessLimiter>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Read, p => p.RequireRole(nameof(AdminRole.Viewer), nameof(AdminRole.QA), nameof(AdminRole.ReleaseManager)))
            .AddPolicy(Pin, p => p.RequireRole(nameof(AdminRole.QA), nameof(AdminRole.ReleaseManager)))
            .AddPolicy(Release, p => p.RequireRole(nameof(AdminRole.ReleaseManager)))
            // An endpoint someone forgets to protect still needs a valid key.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());
        return builder;
    }

    /// <summary>
    /// Answers 429 to an address that sent too many wrong keys (<see cref="KeyGuessLimiter"/>), before its
    /// key is even looked at. Put it before authentication.
    /// </summary>
    public static IApplicationBuilder UseKeyGuessLimit(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var limiter = app.ApplicationServices.GetRequiredService<KeyGuessLimiter>();
        return app.Use(async (context, next) =>
        {
            if (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) &&
                limiter.RetryAfter(context.Connection.RemoteIpAddress) is { } wait)
            {
                await KeyGuessLimiter.TooMany(context.Response, wait).ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }
}
