using RedWhite.Admin.Changes;

namespace RedWhite.Admin.Tests.Changes;

/// <summary>Unusable change-control settings refuse the start, each named with its key.</summary>
public sealed class ChangeControlOptionsTests
{
    [Fact]
    public void EveryUnusableSetting_IsNamed()
    {
        var options = new ChangeControlOptions
        {
            Approvals = new ApprovalOptions { Required = ["promote", "deploy"], Lifetime = TimeSpan.FromMinutes(1) },
            Freezes =
            [
                new FreezeWindow { Every = "Fridays" },
                new FreezeWindow { From = DateTimeOffset.UtcNow, To = DateTimeOffset.UtcNow.AddHours(-1) },
                new FreezeWindow { From = DateTimeOffset.UtcNow, Every = "Fri 16:00 - Mon 08:00" },
            ],
            Environments =
            {
                ["staging"] = new EnvironmentLink
                {
                    AdminUrl = "ftp://staging", Destinations = [new ValueMapping { From = "a", To = "b" }, new ValueMapping { From = "a", To = "c" }],
                },
            },
        };

        var result = new ChangeControlOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Admin:Approvals:Required:1 is 'deploy'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Admin:Approvals:Lifetime", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Admin:Freezes:0:Every", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Admin:Freezes:1 needs both From and To, From before To", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Admin:Freezes:2 must have either", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Admin:Environments:staging:AdminUrl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Admin:Environments:staging:ApiKey", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Admin:Environments:staging:Destinations maps 'a' more than once", StringComparison.Ordinal));
        Assert.Equal(8, failures.Count);
    }

    [Fact]
    public void TheDefaults_AreValid() => Assert.False(new ChangeControlOptionsValidator().Validate(null, new ChangeControlOptions()).Failed);
}
