using FluentValidation;

namespace RedWhite.Admin.History;

internal sealed class RollbackRequestValidator : AbstractValidator<RollbackRequest>
{
    public static readonly RollbackRequestValidator Instance = new();

    private RollbackRequestValidator()
    {
        RuleFor(r => r.ToRevision).Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("Required: the revision to restore.")
            .GreaterThanOrEqualTo(0).WithMessage("Must be a revision number (0 or more).");
    }
}
