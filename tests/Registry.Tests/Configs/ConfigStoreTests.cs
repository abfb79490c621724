using System.Text;
using RedWhite.Core.Configs;
using RedWhite.Registry.Configs;

namespace RedWhite.Registry.Tests.Configs;

/// <summary>What every config store promises: a version is stored once and never rewritten.</summary>
public abstract class ConfigStoreContract
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("""{"rate":0.25}""");
    private static readonly string Version = CanonicalJson.Address(Content);

    protected abstract Task<IAsyncDisposable> StartAsync();

    protected abstract IConfigStore Another();

    [Fact]
    public async Task SecondSave_ChangesNothing_EvenWithOtherBytesUnderTheSameVersion()
    {
        await using var bed = await StartAsync();
        var first = new ConfigInfo(Version, Content.Length, DateTimeOffset.UnixEpoch, "release");

        Assert.True(await Another().SaveAsync(first, Content, CancellationToken.None));
        Assert.False(await Another().SaveAsync(first with { PublishedBy = "someone-else" }, Encoding.UTF8.GetBytes("""{"rate":0.99}"""), CancellationToken.None));

        Assert.Equal(Content, await Another().LoadAsync(Version, CancellationToken.None));
        Assert.Equal("release", Assert.Single(await Another().ListAsync(CancellationToken.None)).PublishedBy);
    }

    [Theory]
    [InlineData("sha256-0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("../clusters")]
    [InlineData("sha256-../../etc/passwd")]
    public async Task UnknownOrMalformedVersion_LoadsNothing(string version)
    {
        await using var bed = await StartAsync();

        Assert.Null(await Another().LoadAsync(version, CancellationToken.None));
    }
}

public sealed class FileConfigStoreTests : ConfigStoreContract
{
    private TestKit.TempFolder? folder;

    protected override Task<IAsyncDisposable> StartAsync() => Task.FromResult<IAsyncDisposable>(folder = new TestKit.TempFolder());

    protected override IConfigStore Another() => new FileConfigStore(folder!.RegistryFile);
}

public sealed class RedisConfigStoreTests : ConfigStoreContract
{
    private RedisTestBed? bed;

    protected override async Task<IAsyncDisposable> StartAsync() => bed = await RedisTestBed.StartAsync();

    protected override IConfigStore Another() => bed!.ConfigStore();
}
