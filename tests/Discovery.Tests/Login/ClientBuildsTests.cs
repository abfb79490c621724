using RedWhite.Discovery.Login;

namespace RedWhite.Discovery.Tests.Login;

public class ClientBuildsTests
{
    [Fact]
    public void Parse_SameTextTwice_IsParsedOnce()
    {
        var builds = new ClientBuilds();
        var first = builds.Parse("1.0.4");
        Assert.NotNull(first);
        Assert.Same(first, builds.Parse("1.0.4"));
    }

    [Theory]
    [InlineData("1.0", "1.0.0")]
    [InlineData("1.1.0-beta.2", "1.1.0-beta.2")]
    [InlineData("01.2.3", "1.2.3")]
    public void Parse_Version_CarriesItsNormalizedText(string text, string normalized)
    {
        Assert.Equal(normalized, new ClientBuilds().Parse(text)!.Normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("one")]
    [InlineData("1.x")]
    public void Parse_NotAVersion_IsNull(string? text)
    {
        Assert.Null(new ClientBuilds().Parse(text));
    }

    [Fact]
    public void Parse_PastCapacity_StillParsesEveryBuild()
    {
        var builds = new ClientBuilds();
        for (var i = 0; i < ClientBuilds.Capacity + 10; i++)
        {
            Assert.Equal($"1.0.{i}", builds.Parse($"1.0.{i}")!.Normalized);
        }
    }

    [Fact]
    public void Parse_VersionLongerThan64Characters_IsNullAndNotRemembered()
    {
        var builds = new ClientBuilds();
        var longBuild = "1.0.0-" + new string('a', 59);

        Assert.Null(builds.Parse(longBuild));
        Assert.NotNull(builds.Parse("1.0.0-" + new string('a', 58)));
    }
}
