namespace RedWhite.Admin.Audit;

/// <summary>The audit's actor names of Admin's own controllers, beside the API key names of people.</summary>
internal static class Actors
{
    /// <summary>The drain controller (it retires drained clusters).</summary>
    public const string DrainController = "drain-controller";

    /// <summary>The rollout controller (it advances, promotes and aborts canaries).</summary>
    public const string RolloutController = "rollout-controller";

    /// <summary>The scheduler (it applies scheduled capacity changes).</summary>
    public const string Scheduler = "scheduler";

    /// <summary>The server verification watch (it raises the alarm for servers not running what their cluster is registered with).</summary>
    public const string ServerVerification = "server-verification";
}
