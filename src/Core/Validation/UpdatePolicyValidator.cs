using FluentValidation;
using FluentValidation.Results;
using RedWhite.Core.Registry;

namespace RedWhite.Core.Validation;

/// <summary>Rules for the update policy.</summary>
public sealed class UpdatePolicyValidator : AbstractValidator<UpdatePolicy>
{
    /// <summary>Creates the validator.</summary>
    public UpdatePolicyValidator()
    {
        RuleFor(p => p.MinimumBuild).Custom((builds, context) =>
            Each(builds, context, Rules.IsVersion, "Must be a version such as 1.0.0."));
        RuleFor(p => p.StoreUrls).Custom((urls, context) =>
            Each(urls, context, Rules.IsHttpUrl, "Must be an absolute http or https URL."));
    }

    private static void Each(
        IReadOnlyDictionary<string, string> map, ValidationContext<UpdatePolicy> context, Func<string, bool> valid, string message)
    {
        foreach (var (platform, value) in map)
        {
            var field = $"{context.PropertyPath}.{platform}";
            if (!Rules.IsName(platform))
            {
                context.AddFailure(new ValidationFailure(field, "Platform names " + Rules.NameMessage.ToLowerInvariant()));
            }

            if (!valid(value))
            {
                context.AddFailure(new ValidationFailure(field, message));
            }
        }
    }
}
