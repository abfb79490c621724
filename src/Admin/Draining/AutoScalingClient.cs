using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace RedWhite.Admin.Draining;

/// <summary>An Auto Scaling group as the drain controller needs it.</summary>
/// <param name="Name">The group's name.</param>
/// <param name="MinSize">Its minimum size.</param>
/// <param name="MaxSize">Its maximum size.</param>
/// <param name="DesiredCapacity">Its desired capacity.</param>
/// <param name="Instances">Its instances: id → protected from scale-in.</param>
internal sealed record AutoScalingGroup(string Name, int MinSize, int MaxSize, int DesiredCapacity, IReadOnlyDictionary<string, bool> Instances);

/// <summary>An Auto Scaling call that failed for good: AWS's error code (or ours) and message.</summary>
internal sealed class AutoScalingException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>AWS's error code (<c>ValidationError</c>, <c>AccessDenied</c>, ...), or <c>GroupNotFound</c>, <c>NoCredentials</c>, <c>Unreachable</c>.</summary>
    public string Code { get; } = code;
}

/// <summary>
/// The four Auto Scaling calls the drain controller makes, over AWS's Query API (form-encoded POST,
/// <c>Version=2011-01-01</c>, XML answers), signed with SigV4 (service <c>autoscaling</c>) by AWSSDK.Core,
/// with credentials from its standard chain. Each call runs in a Polly pipeline: throttling, AWS-side failures and
/// unanswered attempts are retried (signed afresh) with exponential backoff and jitter, each attempt and the whole call
/// have a time limit, and an endpoint that keeps failing is left alone for a while (circuit open, the call fails at once
/// with <c>CircuitOpen</c>). The only class that speaks to AWS: swapping in <c>AWSSDK.AutoScaling</c> is local.
/// </summary>
internal sealed class AutoScalingClient(
    HttpClient http, IOptions<AutoScalingOptions> options, AWSCredentials? credentials, TimeProvider time, DrainMetrics metrics)
{
    private const string Service = "autoscaling";
    private const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";
    private static readonly XNamespace Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private readonly AutoScalingOptions settings = options.Value;
    private readonly ResiliencePipeline<Answer> pipeline = Pipeline(options.Value);

    /// <summary>What one attempt got back: the status and body, and AWS's error code and message when it failed.</summary>
    private sealed record Answer(HttpStatusCode Status, string Body, string Code, string Message)
    {
        public bool Ok => Status is >= HttpStatusCode.OK and < HttpStatusCode.Ambiguous;

        public bool Retryable => Status >= HttpStatusCode.InternalServerError || Code is "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "ServiceUnavailable";
    }

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
        Answer answer;
        try
        {
            answer = await pipeline.ExecuteAsync(async token => await AttemptAsync(action, body, token), cancellationToken);
        }
        catch (BrokenCircuitException ex)
        {
            metrics.Called(action, "CircuitOpen");
            throw new AutoScalingException("CircuitOpen", $"{action} not sent: the Auto Scaling endpoint kept failing; calls resume shortly.", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new AutoScalingException("Unreachable", $"{action} failed: Unreachable: no answer in time.", ex);
        }

        return answer.Ok ? XDocument.Parse(answer.Body) : throw new AutoScalingException(answer.Code, $"{action} failed: {answer.Code}: {answer.Message}");
    }

    /// <summary>One signed attempt, counted in the metrics by its outcome.</summary>
    private async Task<Answer> AttemptAsync(string action, string body, CancellationToken cancellationToken)
    {
        var (status, text) = await SendAsync(body, cancellationToken);
        if (status is >= HttpStatusCode.OK and < HttpStatusCode.Ambiguous)
        {
            metrics.Called(action, "ok");
            return new Answer(status, text, "", "");
        }

        var (code, message) = Error(text, status);
        metrics.Called(action, code.Length <= 64 ? code : code[..64]);
        return new Answer(status, text, code, message);
    }

    /// <summary>
    /// The whole call within <see cref="AutoScalingOptions.Timeout"/> per attempt and all attempts with their waits;
    /// retries with exponential backoff and jitter; a circuit that opens for 30 s when most of at least 10 calls in 30 s
    /// failed. Paced by the wall clock on purpose: it paces calls to AWS, whatever clock the controller runs on.
    /// </summary>
    private static ResiliencePipeline<Answer> Pipeline(AutoScalingOptions settings)
    {
        static bool Failed(Outcome<Answer> outcome) =>
            outcome.Exception is TimeoutRejectedException || outcome.Result is { Ok: false, Retryable: true };

        var waits = TimeSpan.FromTicks(settings.RetryBaseDelay.Ticks * ((1L << Math.Min(settings.MaxAttempts, 20)) - 1));
        return new ResiliencePipelineBuilder<Answer> { TimeProvider = TimeProvider.System }
            .AddTimeout(settings.Timeout * settings.MaxAttempts + waits)
            .AddRetry(new RetryStrategyOptions<Answer>
            {
                ShouldHandle = args => ValueTask.FromResult(Failed(args.Outcome)),
                MaxRetryAttempts = settings.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<Answer>
            {
                ShouldHandle = args => ValueTask.FromResult(Failed(args.Outcome)),
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(30),
            })
            .AddTimeout(settings.Timeout)
            .Build();
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
            using var response = await http.SendAsync(request, cancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException ex)
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
