using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace RedWhite.Admin.Changes;

/// <summary>The freeze in force at a moment, if any: where <c>Admin:Freezes</c> is read.</summary>
internal sealed partial class FreezeCalendar(IOptionsMonitor<ChangeControlOptions> options, TimeProvider time)
{
    /// <summary>Actions that stop or undo a push: a freeze never holds them back.</summary>
    public static readonly IReadOnlyList<string> NeverFrozen = ["rollback", "rollout-abort", "rollout-pause"];

    private static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>423 <c>change_frozen</c> if <paramref name="action"/> is frozen now and no emergency reason lifts it.</summary>
    public ProblemHttpResult? Refuses(string action, string? emergency) =>
        emergency is null && !NeverFrozen.Contains(action, StringComparer.Ordinal) && Now() is { } freeze ? Refusal(action, freeze) : null;

    /// <summary>The 423 of a change refused by <paramref name="freeze"/>.</summary>
    public static ProblemHttpResult Refusal(string action, Freeze freeze) =>
        TypedResults.Problem(
            detail: $"Changes are frozen until {freeze.Until.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)} ({freeze.Reason}); '{action}' was not made. " +
                "A rollback or a rollout's abort or pause goes through; anything else only as an emergency: ?emergency=true&reason=….",
            statusCode: StatusCodes.Status423Locked,
            title: "Changes are frozen.",
            extensions: new Dictionary<string, object?> { ["code"] = "change_frozen", ["frozenUntil"] = freeze.Until, ["reason"] = freeze.Reason });

    /// <summary>The freeze in force now, or null.</summary>
    public Freeze? Now() => At(time.GetUtcNow());

    /// <summary>The freeze in force at <paramref name="moment"/>, or null; the first configured wins.</summary>
    public Freeze? At(DateTimeOffset moment)
    {
        foreach (var window in options.CurrentValue.Freezes)
        {
            if (window is { From: { } from, To: { } to } && moment >= from && moment < to)
            {
                return new Freeze(window.Reason ?? "change freeze", to);
            }

            if (window.Every is { } every && TryParseWeekly(every, out var start, out var end) && Weekly(moment, start, end) is { } until)
            {
                return new Freeze(window.Reason ?? $"weekly change freeze ({every})", until);
            }
        }

        return null;
    }

    /// <summary>
    /// Reads <c>Fri 16:00 - Mon 08:00</c>: a start and an end in the week, each a day (sun..sat, any case, 3 letters) and a
    /// UTC time; the end may wrap past Sunday. Start and end equal is not a window.
    /// </summary>
    public static bool TryParseWeekly(string text, out TimeSpan start, out TimeSpan end)
    {
        (start, end) = (default, default);
        var match = WeeklyForm().Match(text ?? "");
        if (!match.Success || !TryPoint(match.Groups[1].Value, match.Groups[2].Value, out start) || !TryPoint(match.Groups[3].Value, match.Groups[4].Value, out end))
        {
            return false;
        }

        return start != end;
    }

    private static bool TryPoint(string day, string clock, out TimeSpan point)
    {
        point = default;
        var index = Array.IndexOf(Days, day.ToLowerInvariant());
        if (index < 0 || !TimeSpan.TryParseExact(clock, @"hh\:mm", CultureInfo.InvariantCulture, out var at))
        {
            return false;
        }

        point = TimeSpan.FromDays(index) + at;
        return true;
    }

    /// <summary>When the weekly window holding <paramref name="moment"/> ends, or null if it holds it not.</summary>
    private static DateTimeOffset? Weekly(DateTimeOffset moment, TimeSpan start, TimeSpan end)
    {
        var utc = moment.ToUniversalTime();
        var weekStart = new DateTimeOffset(utc.Date.AddDays(-(int)utc.DayOfWeek), TimeSpan.Zero);
        var inWeek = utc - weekStart;
        var length = end > start ? end - start : TimeSpan.FromDays(7) - start + end;
        var since = inWeek >= start ? inWeek - start : inWeek + TimeSpan.FromDays(7) - start;
        return since < length ? moment + (length - since) : null;
    }

    [GeneratedRegex(@"^\s*([A-Za-z]{3})\s+(\d{2}:\d{2})\s*-\s*([A-Za-z]{3})\s+(\d{2}:\d{2})\s*$")]
    private static partial Regex WeeklyForm();
}

/// <summary>A freeze in force: why, and until when.</summary>
internal sealed record Freeze(string Reason, DateTimeOffset Until);
