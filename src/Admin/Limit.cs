using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin;

/// <summary>The <c>limit</c> query parameter of list calls, parsed here so a bad value is a 400 naming it.</summary>
internal static class Limit
{
    public const int Default = 100;
    public const int Max = 1000;

    public static bool TryParse(string? text, out int limit, out ProblemHttpResult? problem)
    {
        problem = null;
        limit = Default;
        if (text is null)
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= Max)
        {
            return true;
        }

        problem = Problems.Field("limit", $"Must be a whole number from 1 to {Max}.");
        return false;
    }
}
