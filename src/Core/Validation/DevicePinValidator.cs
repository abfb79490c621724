using FluentValidation;
using RedWhite.Core.Registry;

namespace RedWhite.Core.Validation;

/// <summary>Rules for one QA pin, in the context of the document's clusters.</summary>
public sealed class DevicePinValidator : AbstractValidator<DevicePin>
{
    /// <summary>Creates the validator for pins of a document with the given cluster ids.</summary>
    public DevicePinValidator(IReadOnlySet<string> clusterIds)
    {
        RuleFor(p => p.DeviceId).Must(Rules.IsToken).WithMessage(Rules.TokenMessage);
        RuleFor(p => p.ClusterId).Must(clusterIds.Contains)
            .WithMessage(p => $"No cluster '{p.ClusterId}' in the registry.");
    }
}
