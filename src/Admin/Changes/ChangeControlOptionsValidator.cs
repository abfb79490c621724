using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Changes;

/// <summary>Names every unusable <c>Admin:Approvals</c>, <c>Admin:Freezes</c> and <c>Admin:Environments</c> setting at start.</summary>
internal sealed class ChangeControlOptionsValidator : OptionsValidator<ChangeControlOptions>
{
    protected override void Check(ChangeControlOptions options, List<string> problems)
    {
        for (var i = 0; i < options.Approvals.Required.Count; i++)
        {
            if (!ChangeControl.ApprovableActions.Contains(options.Approvals.Required[i], StringComparer.Ordinal))
            {
                problems.Add($"Admin:Approvals:Required:{i} is '{options.Approvals.Required[i]}': must be one of {string.Join(", ", ChangeControl.ApprovableActions)}.");
            }
        }

        if (options.Approvals.Lifetime < TimeSpan.FromMinutes(5) || options.Approvals.Lifetime > TimeSpan.FromDays(7))
        {
            problems.Add("Admin:Approvals:Lifetime must be from 00:05:00 to 7.00:00:00.");
        }

        for (var i = 0; i < options.Freezes.Count; i++)
        {
            var freeze = options.Freezes[i];
            var key = $"Admin:Freezes:{i}";
            var ranged = freeze.From is not null || freeze.To is not null;
            if (ranged == freeze.Every is not null)
            {
                problems.Add($"{key} must have either From and To (UTC times) or Every (\"Fri 16:00 - Mon 08:00\"), not both or neither.");
            }
            else if (ranged && (freeze.From is not { } from || freeze.To is not { } to || from >= to))
            {
                problems.Add($"{key} needs both From and To, From before To.");
            }
            else if (freeze.Every is { } every && !FreezeCalendar.TryParseWeekly(every, out _, out _))
            {
                problems.Add($"{key}:Every is '{every}': must read like \"Fri 16:00 - Mon 08:00\" (UTC; sun..sat; start and end differ).");
            }

            if (freeze.Reason is { Length: > 200 })
            {
                problems.Add($"{key}:Reason must be at most 200 characters.");
            }
        }

        foreach (var (name, link) in options.Environments)
        {
            var key = $"Admin:Environments:{name}";
            if (!Uri.TryCreate(link.AdminUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                problems.Add($"{key}:AdminUrl must be an absolute http(s) URL of that environment's Admin.");
            }

            if (string.IsNullOrWhiteSpace(link.ApiKey))
            {
                problems.Add($"{key}:ApiKey must be set (a key of that Admin; Viewer is enough).");
            }

            CheckMappings($"{key}:Destinations", link.Destinations, problems);
            CheckMappings($"{key}:AutoScalingGroups", link.AutoScalingGroups, problems);
            CheckMappings($"{key}:Instances", link.Instances, problems);
        }
    }

    private static void CheckMappings(string key, List<ValueMapping> mappings, List<string> problems)
    {
        for (var i = 0; i < mappings.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(mappings[i].From) || string.IsNullOrWhiteSpace(mappings[i].To))
            {
                problems.Add($"{key}:{i} needs both From and To.");
            }
        }

        foreach (var twice in mappings.GroupBy(m => m.From, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{key} maps '{twice.Key}' more than once.");
        }
    }
}
