using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace RedWhite.TestKit.Aws;

/// <summary>
/// A fake of the AWS Auto Scaling Query API on a WireMock.Net server at 127.0.0.1: form-encoded POSTs with
/// <c>Action</c> and <c>Version=2011-01-01</c>, XML answers, AWS error XML (<c>Throttling</c>,
/// <c>ValidationError</c>, <c>SignatureDoesNotMatch</c>). Every call's SigV4 <c>Authorization</c> header is
/// checked: credential scope <c>/&lt;region&gt;/autoscaling/aws4_request</c>, the signed headers, and the
/// signature itself, recomputed with the secret key. Groups keep their state between calls.
/// </summary>
public sealed class FakeAutoScaling : IDisposable
{
    public const string AccessKey = "AKIDFAKEEXAMPLE12345";
    public const string SecretKey = "fake/secret/key/for/tests/only+0000000000";
    public const string Region = "eu-west-1";
    private const string Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    private readonly WireMockServer server;
    private readonly ConcurrentDictionary<string, FakeGroup> groups = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AutoScalingCall> calls = new();
    private int throttleNext;

    private FakeAutoScaling()
    {
        var port = FreePort();
        server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{port}"] });
        server.Given(Request.Create().WithPath("/").UsingPost()).RespondWith(Response.Create().WithCallback(Handle));
        Url = $"http://127.0.0.1:{port}/";
    }

    /// <summary>The endpoint, for <c>AutoScaling:ServiceUrl</c>.</summary>
    public string Url { get; }

    /// <summary>Every call that passed the signature check, in order.</summary>
    public IReadOnlyList<AutoScalingCall> Calls => [.. calls];

    /// <summary>Calls refused for a bad signature.</summary>
    public int Unsigned { get; private set; }

    /// <summary>Settings that point Admin at this fake with its credentials' region.</summary>
    public (string Key, string? Value)[] Settings => [("AutoScaling:ServiceUrl", Url), ("AutoScaling:Region", Region), ("AutoScaling:RetryBaseDelay", "00:00:00.010")];

    public static FakeAutoScaling Start() => new();

    /// <summary>Adds a group with <paramref name="desired"/> instances (ids <c>i-…</c> made up unless given).</summary>
    public FakeGroup AddGroup(string name, int min, int max, int desired, params string[] instances)
    {
        var group = new FakeGroup(name, min, max, desired, instances.Length > 0 ? instances : [.. Enumerable.Range(0, desired).Select(i => $"i-{name.GetHashCode() & 0xffffff:x6}{i:x2}")]);
        groups[name] = group;
        return group;
    }

    public FakeGroup Group(string name) => groups[name];

    /// <summary>The next <paramref name="count"/> calls are answered 400 <c>Throttling</c>.</summary>
    public void ThrottleNext(int count) => Interlocked.Exchange(ref throttleNext, count);

    public void Dispose() => server.Stop();

    private ResponseMessage Handle(IRequestMessage request)
    {
        if (!SignatureHolds(request, out var why))
        {
            Unsigned++;
            return Error(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", why);
        }

        var form = HttpUtility.ParseQueryString(request.Body ?? "");
        var parameters = form.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => form[k]!, StringComparer.Ordinal);
        var action = parameters.GetValueOrDefault("Action") ?? "";
        if (parameters.GetValueOrDefault("Version") != "2011-01-01")
        {
            return Error(HttpStatusCode.BadRequest, "InvalidParameterValue", "Version must be 2011-01-01.");
        }

        if (Interlocked.Decrement(ref throttleNext) >= 0)
        {
            return Error(HttpStatusCode.BadRequest, "Throttling", "Rate exceeded");
        }

        calls.Enqueue(new AutoScalingCall(action, parameters, Header(request, "User-Agent") ?? ""));
        var name = parameters.GetValueOrDefault("AutoScalingGroupName") ?? parameters.GetValueOrDefault("AutoScalingGroupNames.member.1") ?? "";
        groups.TryGetValue(name, out var group);
        switch (action)
        {
            case "DescribeAutoScalingGroups":
                return Ok(action, group is null ? "<AutoScalingGroups/>" : $"<AutoScalingGroups>{group.Xml()}</AutoScalingGroups>");
            case "SetDesiredCapacity" when group is null:
            case "UpdateAutoScalingGroup" when group is null:
            case "SetInstanceProtection" when group is null:
                return Error(HttpStatusCode.BadRequest, "ValidationError", $"AutoScalingGroup name not found - AutoScalingGroup {name} not found");
            case "SetDesiredCapacity":
                var desired = int.Parse(parameters["DesiredCapacity"], CultureInfo.InvariantCulture);
                if (desired < group.MinSize || desired > group.MaxSize)
                {
                    return Error(HttpStatusCode.BadRequest, "ValidationError",
                        $"New SetDesiredCapacity value {desired} is below min value {group.MinSize} or above max value {group.MaxSize} for the AutoScalingGroup.");
                }

                group.DesiredCapacity = desired;
                return Ok(action, "");
            case "UpdateAutoScalingGroup":
                lock (group)
                {
                    group.MinSize = parameters.TryGetValue("MinSize", out var min) ? int.Parse(min, CultureInfo.InvariantCulture) : group.MinSize;
                    group.DesiredCapacity = parameters.TryGetValue("DesiredCapacity", out var want) ? int.Parse(want, CultureInfo.InvariantCulture) : group.DesiredCapacity;
                }

                return Ok(action, "");
            case "SetInstanceProtection":
                var protect = parameters["ProtectedFromScaleIn"] == "true";
                foreach (var id in parameters.Where(p => p.Key.StartsWith("InstanceIds.member.", StringComparison.Ordinal)).Select(p => p.Value))
                {
                    if (!group.Instances.ContainsKey(id))
                    {
                        return Error(HttpStatusCode.BadRequest, "ValidationError", $"The instance {id} is not part of Auto Scaling group {name}.");
                    }

                    group.Instances[id] = protect;
                }

                return Ok(action, "");
            default:
                return Error(HttpStatusCode.BadRequest, "InvalidAction", $"The action {action} is not valid for this web service.");
        }
    }

    /// <summary>Recomputes the SigV4 signature from the request as received.</summary>
    private static bool SignatureHolds(IRequestMessage request, out string why)
    {
        var authorization = Header(request, "Authorization");
        var date = Header(request, "X-Amz-Date");
        why = "";
        if (authorization is null || date is null || !authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            why = "Authorization (AWS4-HMAC-SHA256) and X-Amz-Date are required.";
            return false;
        }

        var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(", ").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        var scope = $"{date[..8]}/{Region}/autoscaling/aws4_request";
        if (parts.GetValueOrDefault("Credential") != $"{AccessKey}/{scope}")
        {
            why = $"Credential must be {AccessKey}/{scope}, was {parts.GetValueOrDefault("Credential")}.";
            return false;
        }

        var signed = (parts.GetValueOrDefault("SignedHeaders") ?? "").Split(';');
        if (!signed.Contains("host") || !signed.Contains("x-amz-date"))
        {
            why = "SignedHeaders must include host and x-amz-date.";
            return false;
        }

        var canonical = new StringBuilder().Append("POST\n/\n\n");
        foreach (var name in signed)
        {
            canonical.Append(name).Append(':').Append((Header(request, name) ?? "").Trim()).Append('\n');
        }

        canonical.Append('\n').Append(string.Join(';', signed)).Append('\n')
            .Append(Convert.ToHexStringLower(SHA256.HashData(request.BodyAsBytes ?? Encoding.UTF8.GetBytes(request.Body ?? ""))));
        var toSign = $"AWS4-HMAC-SHA256\n{date}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + SecretKey), date[..8]);
        foreach (var step in new[] { Region, "autoscaling", "aws4_request" })
        {
            key = Hmac(key, step);
        }

        if (!string.Equals(parts.GetValueOrDefault("Signature"), Convert.ToHexStringLower(Hmac(key, toSign)), StringComparison.Ordinal))
        {
            why = "The request signature we calculated does not match the signature you provided.";
            return false;
        }

        return true;
    }

    private static string? Header(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static ResponseMessage Ok(string action, string result) => Xml(HttpStatusCode.OK,
        $"<{action}Response xmlns=\"{Ns}\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata></{action}Response>");

    private static ResponseMessage Error(HttpStatusCode status, string code, string message) => Xml(status,
        $"<ErrorResponse xmlns=\"{Ns}\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{System.Security.SecurityElement.Escape(message)}</Message></Error><RequestId>{Guid.NewGuid()}</RequestId></ErrorResponse>");

    private static ResponseMessage Xml(HttpStatusCode status, string body) => new()
    {
        StatusCode = (int)status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("text/xml") },
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One call the fake accepted.</summary>
public sealed record AutoScalingCall(string Action, IReadOnlyDictionary<string, string> Parameters, string UserAgent);

/// <summary>A group's state in the fake.</summary>
public sealed class FakeGroup(string name, int min, int max, int desired, IEnumerable<string> instances)
{
    public string Name { get; } = name;

    public int MinSize { get; set; } = min;

    public int MaxSize { get; set; } = max;

    public int DesiredCapacity { get; set; } = desired;

    /// <summary>Instance id → protected from scale-in.</summary>
    public ConcurrentDictionary<string, bool> Instances { get; } = new(instances.Select(i => KeyValuePair.Create(i, false)));

    internal string Xml() =>
        $"<member><AutoScalingGroupName>{Name}</AutoScalingGroupName><MinSize>{MinSize}</MinSize><MaxSize>{MaxSize}</MaxSize>" +
        $"<DesiredCapacity>{DesiredCapacity}</DesiredCapacity><Instances>" +
        string.Concat(Instances.Select(i => $"<member><InstanceId>{i.Key}</InstanceId><LifecycleState>InService</LifecycleState><ProtectedFromScaleIn>{(i.Value ? "true" : "false")}</ProtectedFromScaleIn></member>")) +
        "</Instances></member>";
}
