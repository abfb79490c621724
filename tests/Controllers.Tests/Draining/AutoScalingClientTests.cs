extern alias admin;

using Amazon.Runtime;
using Microsoft.Extensions.Options;
using RedWhite.TestKit;
using RedWhite.TestKit.Aws;
using admin::RedWhite.Admin.Draining;

namespace RedWhite.Controllers.Tests.Draining;

/// <summary>The Auto Scaling client against the fake Query API, which recomputes every signature.</summary>
public sealed class AutoScalingClientTests : IDisposable
{
    private readonly FakeAutoScaling aws = FakeAutoScaling.Start();
    private readonly HttpClient http = new();
    private readonly Meters meters = new();

    public void Dispose()
    {
        meters.Dispose();
        http.Dispose();
        aws.Dispose();
    }

    [Fact]
    public async Task Describe_ReadsTheGroup_FromASignedQueryApiCall()
    {
        aws.AddGroup("game-white", 1, 20, 10);

        var group = await Client().DescribeAsync("game-white", CancellationToken.None);

        Assert.Equal(("game-white", 1, 20, 10, 10), (group.Name, group.MinSize, group.MaxSize, group.DesiredCapacity, group.Instances.Count));
        var call = Assert.Single(aws.Calls);
        Assert.Equal("DescribeAutoScalingGroups", call.Action);
        Assert.Equal("2011-01-01", call.Parameters["Version"]);
        Assert.Equal(0, aws.Unsigned);
    }

    [Fact]
    public async Task SetDesiredCapacity_ChangesTheGroup_WithoutHonouringCooldown()
    {
        aws.AddGroup("game-white", 1, 20, 10);

        await Client().SetDesiredCapacityAsync("game-white", 7, CancellationToken.None);

        Assert.Equal(7, aws.Group("game-white").DesiredCapacity);
        Assert.Equal("false", Assert.Single(aws.Calls).Parameters["HonorCooldown"]);
    }

    [Fact]
    public async Task Throttling_IsRetriedWithBackoff_AndTheCallSucceeds()
    {
        aws.AddGroup("game-white", 1, 20, 10);
        aws.ThrottleNext(2);

        await Client().SetDesiredCapacityAsync("game-white", 6, CancellationToken.None);

        Assert.Equal(6, aws.Group("game-white").DesiredCapacity);

        // Every attempt is counted, by what AWS answered: operators see throttling before it turns into failures.
        Assert.Equal(2, meters.Sum("redwhite.autoscaling.calls", ("operation", "SetDesiredCapacity"), ("outcome", "Throttling")));
        Assert.Equal(1, meters.Sum("redwhite.autoscaling.calls", ("operation", "SetDesiredCapacity"), ("outcome", "ok")));
    }

    [Fact]
    public async Task ThrottlingPastTheAttempts_FailsWithTheAwsCode()
    {
        aws.AddGroup("game-white", 1, 20, 10);
        aws.ThrottleNext(10);

        var failure = await Assert.ThrowsAsync<AutoScalingException>(() => Client().SetDesiredCapacityAsync("game-white", 6, CancellationToken.None));

        Assert.Equal("Throttling", failure.Code);
        Assert.Equal(10, aws.Group("game-white").DesiredCapacity);
    }

    [Fact]
    public async Task AnEndpointThatKeepsFailing_OpensTheCircuit_AndCallsFailAtOnceWithoutReachingIt()
    {
        aws.AddGroup("game-white", 1, 20, 10);
        aws.ThrottleNext(1000);
        var client = Client(); // one Admin's client: its circuit is its own

        AutoScalingException? failure = null;
        for (var call = 0; call < 5 && failure?.Code != "CircuitOpen"; call++)
        {
            failure = await Assert.ThrowsAsync<AutoScalingException>(() => client.SetDesiredCapacityAsync("game-white", 6, CancellationToken.None));
        }

        // Four attempts a call: the circuit opens on the tenth failed attempt, during the third call.
        Assert.Equal("CircuitOpen", failure!.Code);
        Assert.Equal(10, meters.Sum("redwhite.autoscaling.calls", ("operation", "SetDesiredCapacity"), ("outcome", "Throttling")));

        var again = await Assert.ThrowsAsync<AutoScalingException>(() => client.SetDesiredCapacityAsync("game-white", 6, CancellationToken.None));
        Assert.Equal("CircuitOpen", again.Code);
        Assert.Equal(10, meters.Sum("redwhite.autoscaling.calls", ("operation", "SetDesiredCapacity"), ("outcome", "Throttling"))); // AWS not called
    }

    [Fact]
    public async Task UnknownGroup_IsGroupNotFound_OnDescribe_AndValidationErrorOnChange_NotRetried()
    {
        var describe = await Assert.ThrowsAsync<AutoScalingException>(() => Client().DescribeAsync("game-nope", CancellationToken.None));
        var change = await Assert.ThrowsAsync<AutoScalingException>(() => Client().SetDesiredCapacityAsync("game-nope", 1, CancellationToken.None));

        Assert.Equal("GroupNotFound", describe.Code);
        Assert.Equal("ValidationError", change.Code);
        Assert.Equal(2, aws.Calls.Count); // one each: a client error is not retried
    }

    [Fact]
    public async Task WrongSecret_IsRefusedBySignature_AndNotRetried()
    {
        aws.AddGroup("game-white", 1, 20, 10);

        var failure = await Assert.ThrowsAsync<AutoScalingException>(
            () => Client(new BasicAWSCredentials(FakeAutoScaling.AccessKey, "not-the-secret")).DescribeAsync("game-white", CancellationToken.None));

        Assert.Equal("SignatureDoesNotMatch", failure.Code);
        Assert.Equal(1, aws.Unsigned);
    }

    [Fact]
    public async Task InstanceProtection_IsSetAndReleasedPerInstance()
    {
        aws.AddGroup("game-white", 1, 20, 2, "i-0000000a", "i-0000000b");

        await Client().SetInstanceProtectionAsync("game-white", ["i-0000000a"], protect: true, CancellationToken.None);

        Assert.True(aws.Group("game-white").Instances["i-0000000a"]);
        Assert.False(aws.Group("game-white").Instances["i-0000000b"]);
        var described = await Client().DescribeAsync("game-white", CancellationToken.None);
        Assert.True(described.Instances["i-0000000a"]);
    }

    private AutoScalingClient Client(AWSCredentials? credentials = null) => new(
        http,
        Options.Create(new AutoScalingOptions { ServiceUrl = aws.Url, Region = FakeAutoScaling.Region, RetryBaseDelay = TimeSpan.FromMilliseconds(5) }),
        credentials ?? new BasicAWSCredentials(FakeAutoScaling.AccessKey, FakeAutoScaling.SecretKey),
        TimeProvider.System,
        new DrainMetrics(meters.Factory));
}
