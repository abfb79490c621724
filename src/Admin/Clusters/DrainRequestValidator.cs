using FluentValidation;

namespace RedWhite.Admin.Clusters;

internal sealed class DrainRequestValidator : AbstractValidator<DrainRequest>
{
    public DrainRequestValidator(DateTimeOffset now)
    {
        RuleFor(r => r.Deadline).GreaterThan(now).When(r => r.Deadline is not null).WithMessage("Must be in the future.");
    }
}
