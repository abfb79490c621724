namespace RedWhite.Core.Players;

/// <summary>How long player history is kept.</summary>
public static class PlayerHistory
{
    /// <summary>At least a day of points, with an hour to spare for a dashboard's "last day" view.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(25);

    /// <summary>Most points one read answers.</summary>
    public const int MaxPoints = 50_000;
}
