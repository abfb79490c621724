namespace RedWhite.Admin.Draining;

/// <summary>Section <c>AutoScaling</c>: where the AWS Auto Scaling API is and how calls to it are retried.</summary>
internal sealed class AutoScalingOptions
{
    public const string Section = "AutoScaling";

    /// <summary>The region (<c>AutoScaling:Region</c>), else <c>AWS_REGION</c>, else <c>us-east-1</c>.</summary>
    public string? Region { get; set; }

    /// <summary>An endpoint override (<c>AutoScaling:ServiceUrl</c>): a VPC endpoint, or a fake in tests.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Attempts per call when AWS throttles or fails on its side (<c>AutoScaling:MaxAttempts</c>, default 4).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First retry delay, about doubled each attempt, with jitter (<c>AutoScaling:RetryBaseDelay</c>, default 200 ms).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Limit of one HTTP call (<c>AutoScaling:Timeout</c>, default 10 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The region used.</summary>
    public string ResolveRegion() =>
        !string.IsNullOrWhiteSpace(Region) ? Region
        : Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } fromEnvironment ? fromEnvironment
        : "us-east-1";

    /// <summary>The endpoint used.</summary>
    public Uri ResolveEndpoint() =>
        new(!string.IsNullOrWhiteSpace(ServiceUrl) ? ServiceUrl : $"https://autoscaling.{ResolveRegion()}.amazonaws.com/");
}
