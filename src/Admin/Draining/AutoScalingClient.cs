using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Microsoft.Extensions.Options;

namespace RedWhite.Admin.Draining;

/// <summary>An Auto Scaling group as the drain controller needs it.</summary>
/// <param name="Name">The group's name.</param>
/// <param name="MinSize">Its minimum size.</param>
/// <param name="MaxSize">Its maximum size.</param>
/// <param name="DesiredCapacity">Its desired capacity.</param>
/// <param name="Instances">Its instances: id → protected from scale-in.</param>
public sealed record AutoScalingGroup(string Name, int MinSize, int MaxSize, int DesiredCapacity, IReadOnlyDictionary<string, bool> Instances);

/// <summary>An Auto Scaling call that failed for good: AWS's error code (or ours) and message.</summary>
public sealed class AutoScalingException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>AWS's error code (<c>ValidationError</c>, <c>AccessDenied</c>, ...), or <c>GroupNotFound</c>, <c>NoCredentials</c>, <c>Unreachable</c>.</summary>
    public string Code { get; } = code;
}

/// <summary>
/// The four Auto Scaling calls the drain controller makes, over AWS's Query API (form-encoded POST,
/// <c>Version=2011-01-01</c>, XML answers), signed with SigV4 (service <c>autoscaling</c>) by AWSSDK.Core,
/// with credentials from its standard chain. Throttling and AWS-side failures are retried with exponential
/// backoff and full jitter. The only class that speaks to AWS: swapping in <c>AWSSDK.AutoScaling</c> is local.
/// </summary>
public sealed class AutoScalingClient(
    HttpClient http, IOptions<AutoScalingOptions> options, AWSCredentials? credentials, TimeProvider time, DrainMetrics metrics)
{
    private const string Service = "autoscaling";
    private const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";
    private static readonly XNamespace Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private readonly AutoScalingOptions settings = options.Value;

    /// <summary>The group, or <see cref="AutoScalingException"/> with code <c>GroupNotFound</c>.</summary>
    public async Task<AutoScalingGroup> DescribeAsync(string group, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("DescribeAutoScalingGroups", [("AutoScalingGroupNames.member.1", group)], cancellationToken);
        var found = answer.Descendants(Ns + "AutoScalingGroups").Elements(Ns + "member").FirstOrDefault()
            ?? throw new AutoScalingException("GroupNotFound", $"Auto Scaling group '{group}' does not exist in {settings.ResolveRegion()}.");
        return new AutoScalingGroup(
            (string?)found.Element(Ns + "AutoScalingGroupName") ?? group,
            (int?)found.Element(Ns + "MinSize") ?? 0,
            (int?)found.Element(Ns + "MaxSize") ?? 0,
            (int?)found.Element(Ns + "DesiredCapacity") ?? 0,
            found.Element(Ns + "Instances")?.Elements(Ns + "member").ToDictionary(
                i => (string)i.Element(Ns + "InstanceId")!, i => (bool?)i.Element(Ns + "ProtectedFromScaleIn") ?? false, StringComparer.Ordinal)
            ?? new Dictionary<string, bool>());
    }

    /// <summary>Sets the desired capacity at once (no cooldown: the drain controller paces itself).</summary>
    public Task SetDesiredCapacityAsync(string group, int desired, CancellationToken cancellationToken) =>
        CallAsync("SetDesiredCapacity", [("AutoScalingGroupName", group), ("DesiredCapacity", Number(desired)), ("HonorCooldown", "false")], cancellationToken);

    /// <summary>Sets the minimum size and the desired capacity (a retired cluster's group goes to 0 and 0).</summary>
    public Task UpdateAsync(string group, int minSize, int desired, CancellationToken cancellationToken) =>
        CallAsync("UpdateAutoScalingGroup", [("AutoScalingGroupName", group), ("MinSize", Number(minSize)), ("DesiredCapacity", Number(desired))], cancellationToken);

    /// <summary>Protects instances from scale-in, or releases them.</summary>
    public Task SetInstanceProtectionAsync(string group, IReadOnlyList<string> instances, bool protect, CancellationToken cancellationToken)
    {
        var parameters = new List<(string, string)> { ("AutoScalingGroupName", group), ("ProtectedFromScaleIn", protect ? "true" : "false") };
        parameters.AddRange(instances.Select((id, i) => ($"InstanceIds.member.{Number(i + 1)}", id)));
        return CallAsync("SetInstanceProtection", parameters, cancellationToken);
    }

    private async Task<XDocument> CallAsync(string action, IReadOnlyList<(string Name, string Value)> parameters, CancellationToken cancellationToken)
    {
        var body = string.Join('&', new[] { ("Action", action), ("Version", "2011-01-01") }.Concat(parameters)
            .Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}"));
        for (var attempt = 1; ; attempt++)
        {
            var (status, text) = await SendAsync(body, cancellationToken);
            if (status is >= HttpStatusCode.OK and < HttpStatusCode.Ambiguous)
            {
                metrics.Called(action, "ok");
                return XDocument.Parse(text);
            }

            var (code, message) = Error(text, status);
            metrics.Called(action, code.Length <= 64 ? code : code[..64]);
            var retryable = status >= HttpStatusCode.InternalServerError || code is "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "ServiceUnavailable";
            if (!retryable || attempt >= settings.MaxAttempts)
            {
                throw new AutoScalingException(code, $"{action} failed: {code}: {message}");
            }

            // Full jitter: a fleet of controllers (or one controller's many groups) never retries in step. The
            // wait is wall-clock time on purpose: it paces calls to AWS, whatever clock the controller runs on.
            var ceiling = settings.RetryBaseDelay * Math.Pow(2, attempt - 1);
            await Task.Delay(ceiling * Random.Shared.NextDouble(), cancellationToken);
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(string body, CancellationToken cancellationToken)
    {
        var endpoint = settings.ResolveEndpoint();
        var identity = await ResolveCredentialsAsync();
        var signedAt = time.GetUtcNow().UtcDateTime;
        var amzDate = signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = ContentType,
            ["host"] = host,
            ["x-amz-date"] = amzDate,
        };
        if (!string.IsNullOrEmpty(identity.Token))
        {
            headers["x-amz-security-token"] = identity.Token;
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = new StringBuilder()
            .Append("POST\n").Append(endpoint.AbsolutePath).Append("\n\n")
            .Append(string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))).Append('\n')
            .Append(signedHeaders).Append('\n')
            .Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))))
            .ToString();
        var signature = AWS4Signer.ComputeSignature(identity, settings.ResolveRegion(), signedAt, Service, signedHeaders, canonical);

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization", signature.ForAuthorizationHeader);
        if (!string.IsNullOrEmpty(identity.Token))
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", identity.Token);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.Timeout);
            using var response = await http.SendAsync(request, timeout.Token);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (HttpStatusCode.ServiceUnavailable, $"<ErrorResponse><Error><Code>Unreachable</Code><Message>{System.Security.SecurityElement.Escape(ex.Message)}</Message></Error></ErrorResponse>");
        }
    }

    private async Task<ImmutableCredentials> ResolveCredentialsAsync()
    {
        try
        {
            // The standard chain: environment, profile, web identity, ECS task role, EC2 instance profile.
            var source = credentials ?? await Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(null);
            return await source.GetCredentialsAsync();
        }
        catch (AmazonClientException ex)
        {
            throw new AutoScalingException("NoCredentials", $"No AWS credentials: {ex.Message}", ex);
        }
    }

    private static (string Code, string Message) Error(string body, HttpStatusCode status)
    {
        try
        {
            var error = XDocument.Parse(body).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
            var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            if (code is not null)
            {
                return (code, message ?? "");
            }
        }
        catch (System.Xml.XmlException)
        {
            // not XML: say what status came back
        }

        return ($"Http{(int)status}", body.Length > 200 ? body[..200] : body);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
