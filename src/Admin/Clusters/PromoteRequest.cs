namespace RedWhite.Admin.Clusters;

/// <summary>Optional body of <c>POST /v1/clusters/{id}/promote</c>: promote although the promotion gate says not ready.</summary>
internal sealed record PromoteRequest
{
    /// <summary>The longest reason kept.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>Promote even when the canary is not ready (too few healthy destinations, no room); needs a <see cref="Reason"/>.</summary>
    public bool Force { get; init; }

    /// <summary>Why, for the audit and the webhook.</summary>
    public string? Reason { get; init; }

    /// <summary>Field problems, empty when the body is usable.</summary>
    public Dictionary<string, string[]> Problems()
    {
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (Force && string.IsNullOrWhiteSpace(Reason))
        {
            problems["reason"] = ["Required with force: say why the canary is promoted although it is not ready."];
        }
        else if (Reason is { Length: > MaxReasonLength })
        {
            problems["reason"] = [$"At most {MaxReasonLength} characters."];
        }

        return problems;
    }
}
