using RedWhite.Core.Validation;

namespace RedWhite.Core.Tests.Validation;

/// <summary>
/// The destinations no registry may hold, whoever writes it. Checked on the rule itself: the forbidden
/// addresses are never sent to a running service (a gateway would probe them).
/// </summary>
public sealed class DestinationAddressTests
{
    [Theory]
    [InlineData("http://169.254.169.254/", "link-local")]
    [InlineData("http://169.254.1.1:8080/", "link-local")]
    [InlineData("http://[fe80::1]/", "link-local")]
    [InlineData("http://[::ffff:169.254.169.254]/", "link-local")]
    [InlineData("http://2852039166/", "dotted decimal")]
    [InlineData("http://0xa9fea9fe/", "dotted decimal")]
    [InlineData("http://0177.0.0.1/", "dotted decimal")]
    [InlineData("http://127.1/", "dotted decimal")]
    [InlineData("http://user:secret@host.example/", "user-info")]
    [InlineData("http://user@127.0.0.1/", "user-info")]
    [InlineData("http://127.0.0.1/a b", "spaces")]
    [InlineData("http://127.0.0.1/\tx", "spaces")]
    [InlineData(" http://127.0.0.1/", "spaces")]
    [InlineData("http://0.0.0.0:7000/", "unspecified")]
    [InlineData("http://[::]:7000/", "unspecified")]
    [InlineData("http://224.0.0.1/", "multicast")]
    [InlineData("http://[ff02::1]/", "multicast")]
    [InlineData("http://255.255.255.255/", "broadcast")]
    [InlineData("ftp://127.0.0.1/", "http or https")]
    [InlineData("/relative", "http or https")]
    [InlineData("http://127.0.0.1/#frag", "fragment")]
    public void Problem_ForgeryShapedDestination_IsNamed(string url, string reason)
    {
        var problem = DestinationAddress.Problem(url);

        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7101/")]
    [InlineData("http://10.0.1.5:7000/")]
    [InlineData("https://game-white-1.internal:443/api/")]
    [InlineData("http://[::1]:7000/")]
    [InlineData("http://[fd00::5]:7000/")]
    [InlineData("http://localhost:7000/")]
    public void Problem_OrdinaryDestination_IsNone(string url) => Assert.Null(DestinationAddress.Problem(url));
}
