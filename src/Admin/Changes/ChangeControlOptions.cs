namespace RedWhite.Admin.Changes;

/// <summary>
/// Section <c>Admin</c>: which changes need a second release manager (<c>Admin:Approvals</c>), when changes are frozen
/// (<c>Admin:Freezes</c>), and the other environments whose registries this one imports from (<c>Admin:Environments</c>).
/// </summary>
internal sealed class ChangeControlOptions
{
    public const string Section = "Admin";

    public ApprovalOptions Approvals { get; set; } = new();

    /// <summary>Windows in which changes are refused with 423 <c>change_frozen</c> (rollbacks and emergencies aside).</summary>
    public List<FreezeWindow> Freezes { get; set; } = [];

    /// <summary>Environment name (<c>staging</c>) → where its Admin is and how its values map to this one's.</summary>
    public Dictionary<string, EnvironmentLink> Environments { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary><c>Admin:Approvals</c>.</summary>
internal sealed class ApprovalOptions
{
    /// <summary>The actions that need a second release manager; empty (the default): none does.</summary>
    public List<string> Required { get; set; } = [];

    /// <summary>How long a proposal waits for its approval (<c>Admin:Approvals:Lifetime</c>, default 24 hours).</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>One freeze: a UTC range (<see cref="From"/> to <see cref="To"/>) or a weekly one (<see cref="Every"/>).</summary>
internal sealed class FreezeWindow
{
    public DateTimeOffset? From { get; set; }

    public DateTimeOffset? To { get; set; }

    /// <summary>A weekly window in UTC, <c>Fri 16:00 - Mon 08:00</c>.</summary>
    public string? Every { get; set; }

    /// <summary>Shown to whoever is refused, and on the dashboard's banner.</summary>
    public string? Reason { get; set; }
}

/// <summary><c>Admin:Environments:&lt;name&gt;</c>: another environment's Admin, and how its values become this one's.</summary>
internal sealed class EnvironmentLink
{
    /// <summary>Its Admin's base URL, read by <c>POST /v1/registry/import</c>.</summary>
    public string AdminUrl { get; set; } = "";

    /// <summary>A key of that Admin (a Viewer key is enough).</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Its destination addresses → this environment's.</summary>
    public List<ValueMapping> Destinations { get; set; } = [];

    /// <summary>Its Auto Scaling group names → this environment's.</summary>
    public List<ValueMapping> AutoScalingGroups { get; set; } = [];

    /// <summary>Its EC2 instance ids (a cluster's <c>instances</c>) → this environment's.</summary>
    public List<ValueMapping> Instances { get; set; } = [];
}

/// <summary>One value of another environment (<see cref="From"/>) and what it is here (<see cref="To"/>).</summary>
internal sealed class ValueMapping
{
    public string From { get; set; } = "";

    public string To { get; set; } = "";
}
