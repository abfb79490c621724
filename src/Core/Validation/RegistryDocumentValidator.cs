using System.Text.Json;
using FluentValidation;
using RedWhite.Core.Registry;

namespace RedWhite.Core.Validation;

/// <summary>
/// Validates a whole registry document and reports every problem at once, keyed by the contract's
/// field paths (<c>clusters[1].clientBuilds</c>). An invalid document is never applied.
/// </summary>
public sealed class RegistryDocumentValidator : AbstractValidator<RegistryDocument>
{
    static RegistryDocumentValidator()
    {
        // Field paths in errors use the JSON names clients send, not the C# member names. Rules take
        // their names when they are built, so the resolver is set before Instance is constructed (a
        // field initializer would run before this body and name them Clusters[0], Pins[0]).
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        Instance = new();
    }

    /// <summary>Creates the validator.</summary>
    public RegistryDocumentValidator()
    {
        RuleFor(d => d.Revision).GreaterThanOrEqualTo(0);
        RuleForEach(d => d.Clusters).SetValidator(new ClusterDefinitionValidator());
        RuleFor(d => d.Clusters).Custom((clusters, context) =>
        {
            foreach (var id in clusters.GroupBy(c => c.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            {
                context.AddFailure("clusters", $"Cluster id '{id}' is used more than once.");
            }
        });
        RuleForEach(d => d.Pins).SetValidator(d => new DevicePinValidator(d.Clusters.Select(c => c.Id).ToHashSet(StringComparer.Ordinal)));
        RuleFor(d => d.Pins).Custom((pins, context) =>
        {
            foreach (var id in pins.GroupBy(p => p.DeviceId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            {
                context.AddFailure("pins", $"Device '{id}' is pinned more than once.");
            }
        });
        RuleFor(d => d.UpdatePolicy).SetValidator(new UpdatePolicyValidator());
    }

    /// <summary>Shared instance; validators are stateless.</summary>
    public static RegistryDocumentValidator Instance { get; }

    /// <summary>Validates <paramref name="document"/> and returns every error keyed by field (empty when valid).</summary>
    public static IDictionary<string, string[]> Check(RegistryDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Instance.Validate(document).ToDictionary();
    }
}
