using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Direct;

/// <summary>
/// A direct cluster on real processes: Discovery (with a pass key), and two demo game servers in their UDP mode that
/// verify passes against Discovery's published keys and report their players in heartbeats. A 1.1 client logs in, gets
/// a server and a pass, and joins over UDP; every pass it must not accept, it refuses with the reason.
/// </summary>
public sealed class DirectConnectTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Blue = "blue-1.1";
    private const string ServerKey = "direct-servers-0123456789-abcdef";
    private const string AdminKey = "release-0123456789-abcdefghijklmnopq";
    private FileStack stack = null!;
    private readonly Dictionary<string, int> udpPorts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceProcess> servers = new(StringComparer.Ordinal);
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        stack = await FileStack.StartAsync(_ => Task.FromResult<IEnumerable<string>>(
        [
            $"--Discovery:ServerKeys:fleet={ServerKey}", "--Passes:ActiveKey=p1", $"--Passes:SigningKeys:p1:PrivateKey={PassKeysForTests.NewPem()}",
            "--Passes:Lifetime=00:00:05", "--Discovery:RateLimits:Enabled=false", $"--Admin:ApiKeys:release:Key={AdminKey}", "--Admin:ApiKeys:release:Role=ReleaseManager",
        ]));

        // The servers start once Discovery does (they fetch its keys and send it heartbeats); then the registry names them.
        foreach (var name in new[] { "b1", "b2" })
        {
            var server = stack.Own(ServiceProcess.StartDotnet("game-" + name, Repository.Dll("infra/DemoGameServer", "RedWhite.DemoGameServer"), stack.Registry.Directory,
            [
                $"--Demo:Name={name}", "--Demo:Color=blue", $"--Demo:Cluster={Blue}", "--Demo:Udp:Port=0", $"--Demo:DiscoveryUrl={stack.Discovery.Url}",
                $"--Demo:ServerKey={ServerKey}", "--Demo:ServerVersion=1.1.0", "--Demo:MaxPlayers=50", "--Demo:ClockSkew=00:00:00",
            ]));
            servers[name] = server;
            await server.WaitReadyAsync("/healthz");
            udpPorts[name] = (await http.GetFromJsonAsync<JsonElement>(server.Url + "/healthz")).GetProperty("udpPort").GetInt32();
        }

        var demo = TestRegistry.Demo();
        stack.Registry.Write(demo with
        {
            Revision = 2,
            Clusters =
            [
                demo.Clusters[0],
                TestRegistry.Cluster(Blue, "[1.1.0,1.2.0)", destinations: new Dictionary<string, string> { ["b1"] = "http://127.0.0.1:9/", ["b2"] = "http://127.0.0.1:9/" }) with
                {
                    ServerVersion = "1.1.0", ConfigVersion = null, VerifyServers = true, Connect = ClusterConnect.Direct,
                    Endpoints = udpPorts.ToDictionary(p => p.Key, p => new GameEndpoint { Host = "127.0.0.1", Port = p.Value }),
                },
            ],
        });
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await stack.DisposeAsync();
    }

    [Fact]
    public async Task A11Client_GetsAServerAndAPass_TheServerAdmitsItOnce_AndRefusesEveryPassItMustNot()
    {
        var first = await LoginAsync("p-1");
        var server = first.GetProperty("server");
        var destination = server.GetProperty("destination").GetString()!;
        var other = destination == "b1" ? "b2" : "b1";
        Assert.Equal(JsonValueKind.Null, first.GetProperty("ticket").ValueKind);
        Assert.Equal("udp", server.GetProperty("protocol").GetString());
        Assert.Equal(udpPorts[destination], server.GetProperty("port").GetInt32());
        var pass = first.GetProperty("pass").GetString()!;

        // Admitted once; playing; the same pass again (from another address) is a replay.
        using var player = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.Equal($"WELCOME p-1 {destination}", await SayAsync(player, destination, "JOIN " + pass));
        Assert.Equal($"PONG {destination} p-1", await SayAsync(player, destination, "PING"));
        using var thief = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.StartsWith("REFUSED Replayed", await SayAsync(thief, destination, "JOIN " + pass), StringComparison.Ordinal);

        // Another server's pass; a pass re-signed with a key Discovery never published; the algorithm changed to none and HS256.
        var second = (await LoginAsync("p-2")).GetProperty("pass").GetString()!;
        var secondFor = Destination(second);
        Assert.StartsWith("REFUSED WrongAudience", await SayAsync(thief, secondFor == "b1" ? "b2" : "b1", "JOIN " + second), StringComparison.Ordinal);
        var parts = second.Split('.');
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var input = parts[0] + "." + parts[1];
        var forged = input + "." + Base64Url(forger.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
        Assert.StartsWith("REFUSED BadSignature", await SayAsync(thief, secondFor, "JOIN " + forged), StringComparison.Ordinal);
        foreach (var alg in new[] { "none", "HS256" })
        {
            var header = Base64Url(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[0]))).Replace("ES256", alg, StringComparison.Ordinal)));
            var withAlg = header + "." + parts[1] + "." + (alg == "none" ? "" : Base64Url(HMACSHA256.HashData(Encoding.ASCII.GetBytes("guess"), Encoding.ASCII.GetBytes(header + "." + parts[1]))));
            Assert.StartsWith("REFUSED UnsupportedAlgorithm", await SayAsync(thief, secondFor, "JOIN " + withAlg), StringComparison.Ordinal);
        }

        // A stranger (UDP source addresses can be forged) gets nothing for anything but a JOIN, and never more than it sent.
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await stranger.SendAsync(Encoding.ASCII.GetBytes("PING"), new IPEndPoint(IPAddress.Loopback, udpPorts[destination]));
        Assert.Equal("REFUSE", await SayAsync(stranger, destination, "JOIN x")); // the PING got no answer: the first reply is the JOIN's, cut to 6 bytes

        // Expired: the pass lives 5 s and the server allows no skew.
        var expiring = await LoginAsync("p-3");
        var expiresAt = expiring.GetProperty("expiresAt").GetDateTimeOffset();
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > expiresAt.AddSeconds(1), "the pass to expire", TimeSpan.FromSeconds(15));
        Assert.StartsWith("REFUSED Expired", await SayAsync(thief, Destination(expiring.GetProperty("pass").GetString()!), "JOIN " + expiring.GetProperty("pass").GetString()),
            StringComparison.Ordinal);

        // The admitted player counts in the server's own report, and its heartbeats carry it to the store: Admin's view of
        // the cluster (what the drain controller and the drain curve read) shows one player on it and none on the other.
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>(servers[destination].Url + "/healthz")).GetProperty("players").GetInt32());
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>(servers[other].Url + "/healthz")).GetProperty("players").GetInt32());
        using var admin = new HttpClient { BaseAddress = new Uri(stack.Admin.Url), Timeout = TimeSpan.FromSeconds(10) };
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        await Eventually.TrueAsync(async () =>
        {
            var status = (await admin.GetFromJsonAsync<JsonElement>($"/v1/clusters/{Blue}")).GetProperty("status");
            return status.GetProperty("players").ValueKind == JsonValueKind.Number && status.GetProperty("players").GetInt64() == 1;
        }, "Admin to count the player from the servers' heartbeats", TimeSpan.FromSeconds(15));
    }

    /// <summary>Logs in as a 1.1 client once Discovery sends such players to the direct cluster (its servers heard from).</summary>
    private async Task<JsonElement> LoginAsync(string player)
    {
        JsonElement answer = default;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                using var response = await http.PostAsJsonAsync(stack.Discovery.Url + "/v1/discovery/login",
                    new { playerId = player, deviceId = "d-" + player, platform = "ios", clientBuild = "1.1.0" });
                answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                return response.StatusCode == HttpStatusCode.OK && answer.GetProperty("decision").GetString() == "ok" && answer.GetProperty("cluster").GetString() == Blue;
            }, $"Discovery to send {player} to {Blue}", TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            output.WriteLine("the last answer: " + answer.GetRawText());
            throw;
        }

        return answer;
    }

    private async Task<string> SayAsync(UdpClient socket, string server, string message)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(message), new IPEndPoint(IPAddress.Loopback, udpPorts[server]));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reply = Encoding.ASCII.GetString((await socket.ReceiveAsync(timeout.Token)).Buffer);
        output.WriteLine($"{server} <- {message[..Math.Min(message.Length, 24)]}… -> {reply}");
        return reply;
    }

    private static string Destination(string pass) =>
        JsonDocument.Parse(Convert.FromBase64String(Pad(pass.Split('.')[1]))).RootElement.GetProperty("destination").GetString()!;

    private static string Pad(string part) => part.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (part.Length % 4)) % 4);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
