using System.Text.Json;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Core.Rollouts;
using RedWhite.Registry.SharedState;

namespace RedWhite.Admin.Rollouts;

/// <summary>
/// What the rollout controller keeps between checks, per canary, in the shared store (so another Admin that takes the
/// lease carries on): the step it is judging, every Gateway's counts at the step's first check (the window's start),
/// consecutive failed checks, and the newest checks with their figures.
/// </summary>
internal sealed record RolloutRecord
{
    /// <summary>Checks kept per canary.</summary>
    public const int KeptChecks = 50;

    /// <summary>The step this record judges: its index and when it began.</summary>
    public string StepKey { get; init; } = "";

    /// <summary>When the window of the current step began (its first check).</summary>
    public DateTimeOffset? WindowFrom { get; init; }

    /// <summary>Gateway (instance and counting start) → cluster → cumulative outcomes at <see cref="WindowFrom"/>.</summary>
    public Dictionary<string, Dictionary<string, RequestOutcomes>> Start { get; init; } = [];

    /// <summary>Failed checks in a row at this step.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the controller checks next (about).</summary>
    public DateTimeOffset? NextCheckAt { get; init; }

    /// <summary>The newest checks first.</summary>
    public IReadOnlyList<RolloutCheckRecord> Checks { get; init; } = [];
}

/// <summary>One check as recorded: when, which step, the window, the verdict with its figures, and what followed.</summary>
internal sealed record RolloutCheckRecord(
    DateTimeOffset At, int Step, int Weight, DateTimeOffset WindowFrom, RolloutVerdict Verdict, Figures Canary, Figures Baseline,
    IReadOnlyList<RolloutFigure> Limits, string? Note, string? Action);

/// <summary>The records of every canary the controller follows, in the shared store.</summary>
internal sealed class RolloutBook(ISharedStateStore store)
{
    private const string Name = "rollouts";

    public async Task<Dictionary<string, RolloutRecord>> ReadAsync(CancellationToken cancellationToken)
    {
        var bytes = await store.ReadAsync(Name, cancellationToken);
        try
        {
            return bytes is null
                ? new(StringComparer.Ordinal)
                : JsonSerializer.Deserialize<Dictionary<string, RolloutRecord>>(bytes, RegistryJson.Options) ?? new(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return new(StringComparer.Ordinal); // unreadable: each step starts a new window rather than stopping rollouts
        }
    }

    public Task WriteAsync(IReadOnlyDictionary<string, RolloutRecord> records, CancellationToken cancellationToken) =>
        store.WriteAsync(Name, JsonSerializer.SerializeToUtf8Bytes(records, RegistryJson.Options), cancellationToken);
}

/// <summary>Settings of the rollout controller (section <c>Rollouts</c>).</summary>
internal sealed class RolloutOptions
{
    public const string Section = "Rollouts";

    /// <summary>Whether this Admin may run the controller (default true; one Admin acts at a time, by lease).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often running rollouts are checked (default 10 s): with the default two failures, a clear regression is pulled within about 20 s of reaching its minimum requests.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
}
