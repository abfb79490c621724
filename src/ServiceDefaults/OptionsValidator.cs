using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// The one way a section's settings are validated: a validator per options type that lists every problem at once, each
/// naming its key and the rule, checked when the service starts (<see cref="OptionsValidation.AddValidatedOptions"/>).
/// A refused start prints them one per line.
/// </summary>
/// <typeparam name="T">The options type.</typeparam>
public abstract class OptionsValidator<T> : IValidateOptions<T>
    where T : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        Check(options, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Adds a line to <paramref name="problems"/> for every setting of <paramref name="options"/> out of its rules.</summary>
    protected abstract void Check(T options, List<string> problems);
}

/// <summary>Registers options the one way: defaults in code, bound from their section, validated at start.</summary>
public static class OptionsValidation
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/> and checks it with <typeparamref name="TValidator"/> at start.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T, TValidator>(this IServiceCollection services, string section)
        where T : class
        where TValidator : class, IValidateOptions<T>
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, TValidator>());
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// A setting read while the host is built (before options exist), refused the way options are: the start stops with
    /// <paramref name="problem"/> on one line and no stack trace.
    /// </summary>
    public static OptionsValidationException Refused(string section, string problem) =>
        new(section, typeof(OptionsValidation), [problem]);
}
