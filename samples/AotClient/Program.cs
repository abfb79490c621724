using System.Text;
using RedWhite.Client;

// Logs in through Discovery, calls the Gateway once and opens a WebSocket, then prints one line:
//   cluster=<ticket's cluster> status=<HTTP status> answer=<the game server's answer> socket=<echo>
// Usage: AotClient <discovery-url> <gateway-url> <device-id> [build]
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: AotClient <discovery-url> <gateway-url> <device-id> [build]");
    return 2;
}

var options = new RedWhiteClientOptions
{
    DiscoveryUri = new Uri(args[0]),
    GatewayUri = new Uri(args[1]),
    Platform = "ios",
    ClientBuild = args.Length > 3 ? args[3] : "1.0.4",
    DeviceId = args[2],
    PlayerId = "aot-" + args[2],
};

using var session = new RedWhiteSession(options);
var login = await session.LoginAsync();
if (!login.HasTicket)
{
    Console.Error.WriteLine($"no ticket: {login.Decision}");
    return 1;
}

using var client = session.CreateGatewayClient();
using var answer = await client.GetAsync("game/state");
var body = await answer.Content.ReadAsStringAsync();

await using var socket = await session.ConnectSocketAsync("/ws");
await socket.SendAsync(Encoding.UTF8.GetBytes("ping"));
var echo = await socket.ReceiveAsync();

Console.WriteLine($"cluster={login.Cluster} status={(int)answer.StatusCode} answer={body} socket={Encoding.UTF8.GetString(echo.Data ?? [])}");
return answer.IsSuccessStatusCode && echo.Event == GameSocketEvent.Message ? 0 : 1;
