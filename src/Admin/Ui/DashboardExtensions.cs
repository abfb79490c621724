using Microsoft.Extensions.FileProviders;

namespace RedWhite.Admin.Ui;

/// <summary>
/// The release dashboard: static files bundled at build time, served from <c>dashboard/</c> beside the assembly at
/// <c>/dashboard/</c>. The page itself is public (it holds no data); everything it shows comes from the API with the
/// key the user signs in with. A strict Content-Security-Policy: the page loads and talks to this origin only.
/// </summary>
internal static class DashboardExtensions
{
    public const string Path = "/dashboard";

    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The headers the API reference page (<c>/reference</c>, on the dashboard's origin) gets: it may not be framed,
    /// sniffed, or leak its address, and a base or form injected into it goes nowhere. Its scripts are its own
    /// (served by this process), so no script source is restricted here.
    /// </summary>
    public static IApplicationBuilder UseReferenceHeaders(this WebApplication app, string path)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(path))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
            }

            return next(context);
        });
    }

    public static IApplicationBuilder UseDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var root = System.IO.Path.Combine(AppContext.BaseDirectory, "dashboard");
        if (!File.Exists(System.IO.Path.Combine(root, "index.html")))
        {
            Log.DashboardMissing(app.Logger, root);
            return app;
        }

        var files = new PhysicalFileProvider(root);

        // Relative redirects: the static file middleware's own is absolute, built from the Host header a client chooses
        // (Host: evil.example sent the browser to http://evil.example/dashboard/).
        app.MapGet("/", () => Results.Redirect(Path + "/")).ExcludeFromDescription().AllowAnonymous();
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value == DashboardExtensions.Path)
            {
                context.Response.StatusCode = StatusCodes.Status302Found; // a route would also take "/dashboard/" from the files
                context.Response.Headers.Location = Path + "/";
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = Path, FileProvider = files, RedirectToAppendTrailingSlash = false });
        return app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = Path,
            FileProvider = files,
            RedirectToAppendTrailingSlash = false,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = Policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache"; // revalidated each load: a new Admin version shows at once
            },
        });
    }
}
