using Microsoft.Extensions.FileProviders;

namespace RedWhite.Admin.Ui;

/// <summary>
/// The release dashboard: static files bundled at build time, served from <c>dashboard/</c> beside the assembly at
/// <c>/dashboard/</c>. The page itself is public (it holds no data); everything it shows comes from the API with the
/// key the user signs in with. A strict Content-Security-Policy: the page loads and talks to this origin only.
/// </summary>
public static class DashboardExtensions
{
    public const string Path = "/dashboard";

    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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
        app.MapGet("/", () => Results.Redirect(Path + "/")).ExcludeFromDescription().AllowAnonymous();
        app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = Path, FileProvider = files });
        return app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = Path,
            FileProvider = files,
            RedirectToAppendTrailingSlash = true,
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
