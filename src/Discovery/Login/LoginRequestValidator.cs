using FluentValidation;
using RedWhite.Core.Validation;

namespace RedWhite.Discovery.Login;

/// <summary>Every problem with a login body at once, keyed by the contract's field names.</summary>
internal sealed class LoginRequestValidator : AbstractValidator<LoginRequest>
{
    public LoginRequestValidator()
    {
        RuleFor(r => r.PlayerId).Must(Rules.IsToken).WithMessage(Rules.TokenMessage);
        RuleFor(r => r.DeviceId).Must(Rules.IsToken).WithMessage(Rules.TokenMessage);
        RuleFor(r => r.Platform).Must(Rules.IsName).WithMessage(Rules.NameMessage);
        RuleFor(r => r.ClientBuild).Must(Rules.IsVersion).WithMessage("Must be a version such as 1.0.4.");
        RuleFor(r => r.ConfigVersion).Must(Rules.IsToken).When(r => r.ConfigVersion is not null).WithMessage(Rules.TokenMessage);
    }
}
