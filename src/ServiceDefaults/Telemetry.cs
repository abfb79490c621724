using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;

namespace RedWhite.ServiceDefaults;

/// <summary>Section <c>Management</c>: the listener operators scrape, apart from the public port.</summary>
public sealed class ManagementOptions
{
    public const string Section = "Management";

    /// <summary>
    /// <c>Management:Urls</c>: where <c>/metrics</c> is served (e.g. <c>http://127.0.0.1:9464</c>; several separated by
    /// <c>;</c>). Unset: no scrape endpoint. The public port never serves it, and this listener serves nothing else.
    /// </summary>
    public string? Urls { get; set; }
}

/// <summary>Section <c>OpenTelemetry</c>: tracing (metrics need no setting beyond where they go).</summary>
public sealed class OpenTelemetryOptions
{
    public const string Section = "OpenTelemetry";

    public TracingOptions Tracing { get; set; } = new();

    public sealed class TracingOptions
    {
        /// <summary><c>OpenTelemetry:Tracing:Enabled</c>: record spans and pass W3C trace context on (default off: costs nothing).</summary>
        public bool Enabled { get; set; }

        /// <summary>
        /// <c>OpenTelemetry:Tracing:SampleRatio</c>: the share of traces recorded, 0 to 1 (default 0.01). Decided here
        /// from the trace id; a client's "sampled" flag is not obeyed, so a client cannot make every request recorded.
        /// </summary>
        public double SampleRatio { get; set; } = 0.01;
    }
}

/// <summary>
/// Metrics, traces and the management listener. Metrics are always recorded into <see cref="Meter"/>s named
/// <c>RedWhite.*</c> (free while nothing listens); they are exported to Prometheus on <c>Management:Urls</c> and over
/// OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Without either, no listener exists at all.
/// </summary>
public static class Telemetry
{
    /// <summary>The prefix of every meter and activity source of the product.</summary>
    public const string Prefix = "RedWhite.";

    /// <summary>Where Prometheus scrapes on the management listener.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Bucket bounds, in seconds, of every latency histogram: from a fraction of a millisecond (the gateway's own
    /// share of a request) to 10 s (a slow login or a stuck upstream).
    /// </summary>
    public static readonly IReadOnlyList<double> LatencyBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    internal const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Wires the exporters named by configuration; see the class summary.</summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var ports = ManagementPorts(configuration);
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        var tracing = configuration.GetSection(OpenTelemetryOptions.Section).Get<OpenTelemetryOptions>()?.Tracing ?? new OpenTelemetryOptions.TracingOptions();
        if (tracing.SampleRatio is < 0 or > 1 || double.IsNaN(tracing.SampleRatio))
        {
            throw OptionsValidation.Refused(OpenTelemetryOptions.Section, "OpenTelemetry:Tracing:SampleRatio must be from 0 to 1.");
        }

        if (ports.Count == 0 && !otlp && !tracing.Enabled)
        {
            return builder; // nothing exports: no listener, and instruments cost nothing
        }

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Environment.ApplicationName, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId));
        if (ports.Count > 0 || otlp)
        {
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(Prefix + "*").AddRuntimeInstrumentation();
                if (ports.Count > 0)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        }

        if (tracing.Enabled)
        {
            otel.WithTracing(traces =>
            {
                // The gateway's own server span, and the forwarder's client span that carries traceparent upstream.
                traces.SetSampler(new TraceIdRatioBasedSampler(tracing.SampleRatio))
                    .AddSource(Prefix + "*")
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
                    .AddHttpClientInstrumentation();
                if (otlp)
                {
                    traces.AddOtlpExporter();
                }
            });
        }

        if (ports.Count > 0)
        {
            AddListener(builder, configuration, ports);
        }

        return builder;
    }

    /// <summary>Whether a path is a load balancer's health probe (kept out of traces and request logs).</summary>
    internal static bool IsProbe(PathString path) =>
        path.Value is "/healthz" or "/readyz" or "/_rw/healthz" or "/_rw/readyz";

    /// <summary>
    /// The trace a request belongs to: the current activity's when one runs (tracing on, or Discovery and Admin,
    /// which always start one), else the trace id of the client's <c>traceparent</c> if it is well formed.
    /// </summary>
    public static string? TraceId(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Activity.Current is { } activity)
        {
            return activity.TraceId.ToHexString();
        }

        // version "-" trace-id (32 lowercase hex) "-" parent-id "-" flags
        var header = context.Request.Headers.TraceParent.ToString();
        if (header.Length >= 55 && header[2] == '-' && header[35] == '-')
        {
            var id = header.AsSpan(3, 32);
            if (!id.ContainsAnyExcept("0123456789abcdef") && id.ContainsAnyExcept('0'))
            {
                return id.ToString();
            }
        }

        return null;
    }

    /// <summary>
    /// Adds the management URLs to the ones the server binds, and answers on their ports only <c>/metrics</c>
    /// (by the port the connection arrived on, never the Host header, which a client chooses).
    /// </summary>
    private static void AddListener(IHostApplicationBuilder builder, IConfiguration configuration, HashSet<int> ports)
    {
        var urls = configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls))
        {
            urls = configuration["http_ports"] is { Length: > 0 } httpPorts
                ? string.Join(';', httpPorts.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => $"http://*:{p.Trim()}"))
                : "http://localhost:5000";
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (UrlPort.Match(url) is { Success: true } match && ports.Contains(int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)))
            {
                throw OptionsValidation.Refused(ManagementOptions.Section, $"Management:Urls uses the port of {url}, which also serves the public API: give the management listener a port of its own.");
            }
        }

        configuration["urls"] = urls + ";" + configuration[$"{ManagementOptions.Section}:{nameof(ManagementOptions.Urls)}"];
        builder.Services.AddSingleton<IStartupFilter>(new ManagementStartupFilter(ports));
    }

    private static readonly System.Text.RegularExpressions.Regex UrlPort = new(@"^https?://(\[[0-9A-Fa-f:.]+\]|[^/:\[\]]+):(?<port>[0-9]{1,5})/?$");

    /// <summary>The ports of <c>Management:Urls</c>; a URL without an explicit, fixed port is refused.</summary>
    public static HashSet<int> ManagementPorts(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = configuration[$"{ManagementOptions.Section}:{nameof(ManagementOptions.Urls)}"];
        var ports = new HashSet<int>();
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = UrlPort.Match(url);
            if (!match.Success || !int.TryParse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw OptionsValidation.Refused(ManagementOptions.Section,
                    $"Management:Urls has '{url}': give http(s)://host:port with an explicit, fixed port (e.g. http://127.0.0.1:9464), several separated by ';'.");
            }

            ports.Add(port);
        }

        return ports;
    }

    private sealed class ManagementStartupFilter(HashSet<int> ports) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.MapWhen(http => ports.Contains(http.Connection.LocalPort), management =>
            {
                management.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsPath);
                management.Run(http => Problems.Code(StatusCodes.Status404NotFound, "not_found", "Not found.",
                    $"The management listener serves only {MetricsPath}.").ExecuteAsync(http));
            });
            next(app);
        };
    }
}

/// <summary>Request log lines for the services off the hot path (Discovery and Admin).</summary>
public static class RequestLogging
{
    /// <summary>
    /// One line per request (Serilog's request logging with <see cref="LogFields"/>), each in a trace: an activity is
    /// started for every request, continuing the client's <c>traceparent</c> if it sent one, recorded only when
    /// tracing samples it. Call first in the pipeline.
    /// </summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
        };
        ActivitySource.AddActivityListener(listener);
        app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(listener.Dispose);
        return app.UseSerilogRequestLogging();
    }
}
