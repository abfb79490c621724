using FluentValidation;
using RedWhite.Core.Validation;

namespace RedWhite.Admin.Pins;

internal sealed class PinRequestValidator : AbstractValidator<PinRequest>
{
    public PinRequestValidator(DateTimeOffset now, TimeSpan maxLifetime)
    {
        RuleFor(r => r.ClusterId).Must(Rules.IsClusterId).WithMessage(Rules.ClusterIdMessage);
        RuleFor(r => r.Expires).Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("Required: when the pin stops applying, e.g. 2026-12-01T00:00:00Z.")
            .GreaterThan(now).WithMessage("Must be in the future.")
            .LessThanOrEqualTo(now + maxLifetime)
            .WithMessage($"Must be at most {maxLifetime.TotalDays:0.##} days ahead (Admin:MaxPinLifetime).");
    }
}
