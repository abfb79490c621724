using FluentValidation;
using FluentValidation.Results;
using RedWhite.Core.Registry;

namespace RedWhite.Core.Validation;

/// <summary>Rules for one cluster definition.</summary>
public sealed class ClusterDefinitionValidator : AbstractValidator<ClusterDefinition>
{
    /// <summary>Creates the validator.</summary>
    public ClusterDefinitionValidator()
    {
        RuleFor(c => c.Id).Must(Rules.IsClusterId).WithMessage(Rules.ClusterIdMessage);
        RuleFor(c => c.Color).Must(Rules.IsName).WithMessage(Rules.NameMessage);
        RuleFor(c => c.ServerVersion).Must(Rules.IsVersion).WithMessage(Rules.VersionMessage);
        RuleFor(c => c.ConfigVersion).Must(Configs.ConfigVersion.IsAddress).When(c => c.ConfigVersion is not null).WithMessage(Configs.ConfigVersion.Message);
        RuleFor(c => c.ClientBuilds).Must(Rules.IsVersionRange)
            .WithMessage("Must be a version range such as [1.0.0,1.1.0) or 1.2.0 (at least 1.2.0).");
        RuleForEach(c => c.Platforms).Must(Rules.IsName).WithMessage(Rules.NameMessage);
        RuleFor(c => c.Platforms).Must(p => p.Distinct(StringComparer.Ordinal).Count() == p.Count).WithMessage("Lists a platform twice.");
        RuleFor(c => c.State).IsInEnum();
        RuleFor(c => c.Weight).InclusiveBetween(0, 100);
        RuleFor(c => c.MinHealthyPercent).InclusiveBetween(0, 100).When(c => c.MinHealthyPercent is not null);
        RuleFor(c => c.Destinations).Custom(ValidateDestinations);
        RuleFor(c => c.Destinations).NotEmpty()
            .When(c => ClusterLifecycle.ServesPlayers(c.State))
            .WithMessage("A cluster that serves players needs at least one destination.");
        RuleFor(c => c.AutoScalingGroup).Must(g => !string.IsNullOrWhiteSpace(g) && g.Length <= 255)
            .When(c => c.AutoScalingGroup is not null).WithMessage("Must be 1-255 characters when set.");
        RuleFor(c => c.ActivityTimeout).Must(t => t >= Rules.MinActivityTimeout && t <= Rules.MaxActivityTimeout)
            .When(c => c.ActivityTimeout is not null).WithMessage(Rules.ActivityTimeoutMessage);
        RuleFor(c => c.Instances).Custom(ValidateInstances).When(c => c.Instances is not null);
        RuleFor(c => c.Connect).IsInEnum();
        RuleFor(c => c.UpstreamHttp).IsInEnum();
        RuleFor(c => c.UpstreamHttp).Equal(UpstreamHttp.Auto).When(c => c.Connect == ClusterConnect.Direct)
            .WithMessage("A direct cluster's players do not pass a Gateway: leave upstreamHttp out.");
        RuleFor(c => c.Endpoints).Custom(ValidateEndpoints);
        RuleFor(c => c.Capacity!.PlayersPerDestination).InclusiveBetween(1, ClusterCapacity.MaxValue)
            .When(c => c.Capacity is not null).OverridePropertyName("capacity.playersPerDestination");
        RuleFor(c => c.Capacity!.MaxPlayers).InclusiveBetween(1, ClusterCapacity.MaxValue)
            .When(c => c.Capacity?.MaxPlayers is not null).OverridePropertyName("capacity.maxPlayers");
        RuleFor(c => c.Rollout!).SetValidator(new RolloutPlanValidator()).When(c => c.Rollout is not null);
        RuleFor(c => c.Rollout!.Status!.Phase).Must(p => p is not (RolloutPhase.Running or RolloutPhase.Paused))
            .When(c => c.Rollout?.Status is not null && c.State != ClusterState.Canary)
            .WithMessage("A rollout runs or pauses only on a canary.").OverridePropertyName("rollout.status.phase");
    }

    private static void ValidateInstances(IReadOnlyDictionary<string, string>? instances, ValidationContext<ClusterDefinition> context)
    {
        var destinations = context.InstanceToValidate.Destinations;
        foreach (var (name, instance) in instances!)
        {
            var field = $"{context.PropertyPath}.{name}";
            if (!destinations.ContainsKey(name))
            {
                context.AddFailure(new ValidationFailure(field, "Names no destination of this cluster."));
            }

            if (!Rules.IsInstanceId(instance))
            {
                context.AddFailure(new ValidationFailure(field, Rules.InstanceIdMessage));
            }
        }

        if (instances.Values.Distinct(StringComparer.Ordinal).Count() != instances.Count)
        {
            context.AddFailure(new ValidationFailure(context.PropertyPath, "Names an instance for two destinations."));
        }
    }

    /// <summary>A direct cluster names a public game endpoint for every destination; a proxied one names none.</summary>
    private static void ValidateEndpoints(IReadOnlyDictionary<string, GameEndpoint>? endpoints, ValidationContext<ClusterDefinition> context)
    {
        var cluster = context.InstanceToValidate;
        if (cluster.Connect != ClusterConnect.Direct)
        {
            if (endpoints is not null)
            {
                context.AddFailure(new ValidationFailure(context.PropertyPath, "Only a direct cluster (connect: direct) has game endpoints."));
            }

            return;
        }

        endpoints ??= new Dictionary<string, GameEndpoint>();
        foreach (var name in cluster.Destinations.Keys.Where(d => !endpoints.ContainsKey(d)))
        {
            context.AddFailure(new ValidationFailure($"{context.PropertyPath}.{name}", "A direct cluster needs a game endpoint for each destination."));
        }

        foreach (var (name, endpoint) in endpoints)
        {
            var field = $"{context.PropertyPath}.{name}";
            if (!cluster.Destinations.ContainsKey(name))
            {
                context.AddFailure(new ValidationFailure(field, "Names no destination of this cluster."));
            }

            if (endpoint is null)
            {
                context.AddFailure(new ValidationFailure(field, "Must be { host, port, protocol }."));
                continue;
            }

            if (!Rules.IsHost(endpoint.Host))
            {
                context.AddFailure(new ValidationFailure(field + ".host", Rules.HostMessage));
            }

            if (endpoint.Port is < 1 or > 65535)
            {
                context.AddFailure(new ValidationFailure(field + ".port", "Must be 1-65535."));
            }

            if (!Enum.IsDefined(endpoint.Protocol))
            {
                context.AddFailure(new ValidationFailure(field + ".protocol", "Must be udp or tcp."));
            }
        }
    }

    private static void ValidateDestinations(IReadOnlyDictionary<string, string> destinations, ValidationContext<ClusterDefinition> context)
    {
        foreach (var (name, url) in destinations)
        {
            var field = $"{context.PropertyPath}.{name}";
            if (!Rules.IsName(name))
            {
                context.AddFailure(new ValidationFailure(field, "Destination names " + Rules.NameMessage.ToLowerInvariant()));
            }

            if (DestinationAddress.Problem(url) is { } problem)
            {
                context.AddFailure(new ValidationFailure(field, problem));
            }
        }
    }
}
