using FluentValidation;

namespace RedWhite.Admin.Clusters;

internal sealed class WeightRequestValidator : AbstractValidator<WeightRequest>
{
    public static readonly WeightRequestValidator Instance = new();

    private WeightRequestValidator()
    {
        RuleFor(r => r.Weight).Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("Required: the share of matching players, 0-100.")
            .InclusiveBetween(0, 100).WithMessage("Must be between 0 and 100.");
    }
}
