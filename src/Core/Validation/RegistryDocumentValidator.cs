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
    // Field paths in errors use the JSON names clients send, not the C# member names. This initializer
    // must stay above Instance: static initializers run in textual order, before any validator is built.
    private static readonly bool JsonNames = UseJsonNames();

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
        RuleForEach(d => d.Clusters).Custom((cluster, context) =>
        {
            if (cluster.LoginsStoppedRevision is { } stopped && (stopped < 1 || stopped > context.InstanceToValidate.Revision))
            {
                context.AddFailure($"{context.PropertyPath}.loginsStoppedRevision", $"Must be a revision between 1 and the document's revision ({context.InstanceToValidate.Revision}).");
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
    public static RegistryDocumentValidator Instance { get; } = new();

    /// <summary>Makes every FluentValidation error in the process use camelCase JSON field names.</summary>
    public static bool UseJsonNames()
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        return true;
    }

    /// <summary>Validates <paramref name="document"/> and returns every error keyed by field (empty when valid).</summary>
    public static IDictionary<string, string[]> Check(RegistryDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        _ = JsonNames;
        return Instance.Validate(document).ToDictionary();
    }
}
