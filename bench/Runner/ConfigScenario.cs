using System.Globalization;
using System.Text;

namespace RedWhite.Runner;

/// <summary>
/// <c>GET /v1/configs/{version}</c> on Discovery, the origin a CDN fronts: a full answer of a 5 KB config, and
/// a conditional GET that a client or CDN holding it already sends (304).
/// </summary>
internal static class ConfigScenario
{
    public static async Task<string> RunAsync(int rounds, TimeSpan duration, int[] connections)
    {
        await using var stack = BenchStack.Create();
        var upstream = await stack.StartUpstreamAsync("game");
        var config = stack.StoreConfig(FiveKilobyteConfig());
        stack.WriteRegistry(1, config, [config], upstream.Url + "/");
        var discovery = await stack.StartAsync("discovery", "src/Discovery", "RedWhite.Discovery", "/readyz");
        var size = (await new HttpClient().GetByteArrayAsync($"{discovery.Url}/v1/configs/{config}")).Length;
        var conditional = Path.Combine(stack.Work, "if-none-match.lua");
        await File.WriteAllTextAsync(conditional, $"wrk.headers[\"If-None-Match\"] = '\"{config}\"'\n");
        var plain = Path.Combine(stack.Work, "plain.lua");
        await File.WriteAllTextAsync(plain, "-- a plain GET\n");

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"One config of {size} bytes (canonical form), file store, Discovery alone on the machine with wrk.");
        s.AppendLine();
        s.AppendLine(Rounds.TableHeader);
        foreach (var (name, script) in ((string, string)[])[("config 200", plain), ("config 304 (If-None-Match)", conditional)])
        {
            var results = await Rounds.RunAsync([(name, discovery.Url, CpuMeter.Of(discovery))], $"/v1/configs/{config}", connections, rounds, duration, script);
            foreach (var c in connections)
            {
                s.AppendLine(Rounds.Row(name, c, results[(name, c)]));
            }
        }

        return s.ToString();
    }

    /// <summary>A live-event config of about 5 KB: drop tables for 100 items, canonical (members sorted, no spaces).</summary>
    private static string FiveKilobyteConfig()
    {
        var items = string.Join(",", Enumerable.Range(0, 100).Select(i =>
            $"\"item-{i:D3}\":{{\"rate\":0.{i + 100},\"tier\":\"{(i % 3 == 0 ? "rare" : "common")}\",\"weight\":{i * 7 % 50}}}"));
        return $"{{\"drops\":{{{items}}},\"event\":\"winter-festival\"}}";
    }
}
