using FluentValidation;
using RedWhite.Core.Registry;

namespace RedWhite.Core.Validation;

/// <summary>A rollout plan: steps that climb to 100, sane times, limits in range, a status that fits the plan.</summary>
public sealed class RolloutPlanValidator : AbstractValidator<RolloutPlan>
{
    /// <summary>Shortest bake time: a few controller intervals.</summary>
    public static readonly TimeSpan MinBakeTime = TimeSpan.FromSeconds(10);

    /// <summary>Longest bake time.</summary>
    public static readonly TimeSpan MaxBakeTime = TimeSpan.FromDays(7);

    public RolloutPlanValidator()
    {
        RuleFor(p => p.Steps).Must(s => s.Count is >= 1 and <= 20).WithMessage("Must list 1 to 20 weights.")
            .Must(s => s.All(w => w is >= 1 and <= 100)).WithMessage("Each weight must be 1-100.")
            .Must(s => s.Zip(s.Skip(1)).All(p => p.First < p.Second)).WithMessage("Weights must increase.")
            .Must(s => s.Count > 0 && s[^1] == 100).WithMessage("The last weight must be 100 (the cluster is promoted after it).");
        RuleFor(p => p.BakeTime).InclusiveBetween(MinBakeTime, MaxBakeTime).WithMessage("Must be from 00:00:10 to 7.00:00:00.");
        RuleFor(p => p.MaxWait).Must(w => w >= MinBakeTime && w <= MaxBakeTime).When(p => p.MaxWait is not null)
            .WithMessage("Must be from 00:00:10 to 7.00:00:00 when set.");
        RuleFor(p => p.OnMaxWait).IsInEnum();
        RuleFor(p => p.Analysis).NotNull().SetValidator(new RolloutAnalysisValidator());
        RuleFor(p => p.Status!.Step).Must((plan, step) => step >= 0 && step < plan.Steps.Count).When(p => p.Status is not null)
            .WithMessage("Must name one of the steps (0 is the first).").OverridePropertyName("status.step");
        RuleFor(p => p.Status!.Phase).IsInEnum().When(p => p.Status is not null).OverridePropertyName("status.phase");
        RuleFor(p => p.Status!.Reason).MaximumLength(1000).When(p => p.Status is not null).OverridePropertyName("status.reason");
    }

    private sealed class RolloutAnalysisValidator : AbstractValidator<RolloutAnalysis>
    {
        public RolloutAnalysisValidator()
        {
            RuleFor(a => a.MinRequests).InclusiveBetween(1, 100_000_000);
            RuleFor(a => a.MinPlayers).InclusiveBetween(1, 100_000_000);
            RuleFor(a => a.MaxErrorRate).InclusiveBetween(0, 1).When(a => a.MaxErrorRate is not null);
            RuleFor(a => a.MaxP99Ms).GreaterThan(0).LessThanOrEqualTo(600_000).When(a => a.MaxP99Ms is not null);
            RuleFor(a => a.MaxErrorRateDelta).InclusiveBetween(0, 1).When(a => a.MaxErrorRateDelta is not null);
            RuleFor(a => a.MaxP99Ratio).GreaterThanOrEqualTo(1).LessThanOrEqualTo(100).When(a => a.MaxP99Ratio is not null);
            RuleFor(a => a.MinP99DeltaMs).InclusiveBetween(0, 600_000);
            RuleFor(a => a.FailureLimit).InclusiveBetween(1, 100);
            RuleFor(a => a.Confidence).InclusiveBetween(0.5, 0.9999);
        }
    }
}
