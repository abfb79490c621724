namespace RedWhite.Admin.Draining;

/// <summary>Section <c>Draining</c>: the drain controller.</summary>
internal sealed class DrainingOptions
{
    public const string Section = "Draining";

    /// <summary>Whether the controller runs (<c>Draining:Enabled</c>, default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often it looks at draining clusters; a group changes at most once per interval (<c>Draining:Interval</c>, default 30 s).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Players one instance serves (<c>Draining:PlayersPerInstance</c>, default 100).</summary>
    public int PlayersPerInstance { get; set; } = 100;

    /// <summary>Instances kept while any player remains (<c>Draining:MinInstances</c>, default 1).</summary>
    public int MinInstances { get; set; } = 1;

    /// <summary>How long a cluster must have had no players before it is retired (<c>Draining:EmptyGrace</c>, default 5 minutes).</summary>
    public TimeSpan EmptyGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>This Admin's name as a lease holder (<c>Draining:InstanceId</c>, default host name and process id).</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}
