using FluentValidation;
using FluentValidation.Results;
using RedWhite.Admin.Limits;
using RedWhite.Core.Registry;
using RedWhite.Core.Validation;

namespace RedWhite.Admin.Clusters;

/// <summary>
/// Every problem with a cluster body at once, keyed by the body's field names. The definition's own
/// rules (names, versions, range, destinations) are Core's, so a body passes exactly when the
/// registry would accept the cluster; this adds what only a request can get wrong.
/// </summary>
internal sealed class ClusterRequestValidator : AbstractValidator<ClusterRequest>
{
    private static readonly ClusterDefinitionValidator Definition = new();

    private ClusterRequestValidator(
        Func<ClusterRequest, ClusterDefinition> resolve, DestinationAllowList allowList, IReadOnlyDictionary<string, string>? kept = null)
    {
        RuleFor(r => r).Custom((request, context) =>
        {
            var failures = Definition.Validate(resolve(request)).Errors.Where(f => f.PropertyName != "id").ToList();
            foreach (var failure in failures)
            {
                context.AddFailure(new ValidationFailure(failure.PropertyName, failure.ErrorMessage));
            }

            if (request.Rollout?.Status is not null)
            {
                context.AddFailure(new ValidationFailure("rollout.status",
                    "Is set by POST /v1/clusters/{id}/rollout/start, pause, resume and abort, not by a definition; leave it out."));
            }

            // The allow-list judges the destinations this request sets; one it leaves as it was stays.
            foreach (var (name, url) in request.Destinations)
            {
                var field = $"destinations.{name}";
                if (failures.All(f => f.PropertyName != field) && !(kept?.TryGetValue(name, out var old) == true && old == url) &&
                    allowList.Problem(url) is { } problem)
                {
                    context.AddFailure(new ValidationFailure(field, problem));
                }
            }
        });
    }

    /// <summary>Rules for <c>POST /v1/clusters</c>.</summary>
    public static ClusterRequestValidator ForRegister(DestinationAllowList allowList)
    {
        var validator = new ClusterRequestValidator(r => r.ToDefinition(r.Id ?? "", r.State ?? ClusterState.Canary, r.Weight ?? 0, null, r.VerifyServers ?? true), allowList);
        validator.RuleFor(r => r.Id).Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("Required: the new cluster's id.")
            .Must(Rules.IsClusterId).WithMessage(Rules.ClusterIdMessage);
        validator.RuleFor(r => r.State).Must(s => s is not { } state || ClusterLifecycle.CanRegisterAs(state))
            .WithMessage("A cluster is registered as canary or active; drain and retire it with the lifecycle calls.");
        validator.RuleFor(r => r.DrainDeadline).Null()
            .WithMessage("Only a draining cluster has a drain deadline; set it with POST /v1/clusters/{id}/drain.");
        return validator;
    }

    /// <summary>Rules for <c>PUT /v1/clusters/{id}</c> on the cluster as it is now.</summary>
    public static ClusterRequestValidator ForReplace(ClusterDefinition current, DateTimeOffset now, DestinationAllowList allowList)
    {
        var validator = new ClusterRequestValidator(
            r => r.ToDefinition(current.Id, current.State, r.Weight ?? current.Weight, r.DrainDeadline ?? current.DrainDeadline, r.VerifyServers ?? current.VerifyServers)
                with { Connect = current.Connect, UpstreamHttp = r.UpstreamHttp ?? current.UpstreamHttp },
            allowList, current.Destinations);
        validator.RuleFor(r => r.Connect).Must(c => c is null || c == current.Connect)
            .WithMessage($"Must be '{current.Connect.ToString().ToLowerInvariant()}' or left out: how players reach a cluster cannot change; register a new one.");
        validator.RuleFor(r => r.Id).Equal(current.Id).When(r => r.Id is not null)
            .WithMessage($"Must be '{current.Id}' (the id in the path) or left out; a cluster's id cannot change.");
        validator.RuleFor(r => r.DrainDeadline).Null().When(_ => !ClusterLifecycle.HasDrainDeadline(current.State))
            .WithMessage("Only a draining cluster has a drain deadline; set it with POST /v1/clusters/{id}/drain.");
        validator.RuleFor(r => r.DrainDeadline).Must(d => d == current.DrainDeadline || d > now)
            .When(r => ClusterLifecycle.HasDrainDeadline(current.State) && r.DrainDeadline is not null)
            .WithMessage("Must be in the future, or the current deadline.");
        return validator;
    }
}
