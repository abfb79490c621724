using Microsoft.Extensions.Options;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// A service that cannot start as configured (an <see cref="OptionsValidationException"/>: an option out of its rules, a
/// weak key, or a registry file that does not validate, which the registry reports the same way) says why on standard
/// error, one line per problem naming the setting and the rule, and exits with code 1: no stack trace for an operator
/// to read through. Any other unhandled exception is left to the runtime as before.
/// </summary>
internal static class StartupRefusal
{
    /// <summary>The exit code of a refused start.</summary>
    public const int ExitCode = 1;

    private static int installed;

    /// <summary>Installs the handler once per process.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 0)
        {
            AppDomain.CurrentDomain.UnhandledException += (_, e) => Refuse(e.ExceptionObject as Exception);
        }
    }

    /// <summary>The problems a refused start names, one per line; empty for an exception that is not a refusal.</summary>
    internal static IReadOnlyList<string> Problems(Exception? exception) => exception switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException many => many.InnerExceptions.Select(Problems).Any(p => p.Count == 0) ? [] : [.. many.InnerExceptions.SelectMany(Problems)],
        _ => [],
    };

    private static void Refuse(Exception? exception)
    {
        var problems = Problems(exception);
        if (problems.Count == 0)
        {
            return;
        }

        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"Cannot start: {problem.ReplaceLineEndings(" ")}");
        }

        Console.Error.Flush();
        Environment.Exit(ExitCode);
    }
}
