using System.Globalization;

namespace RedWhite.Simulator;

/// <summary>What the simulator runs: <c>--name=value</c> arguments, each with a default (see <see cref="Usage"/>).</summary>
internal sealed class SimulatorOptions
{
    public const string Usage = """
        usage: Simulator --discovery=URL --gateway=URL [options]
          --players=200              players online at once
          --builds=1.0.4             the starting build mix: build[:weight],...  e.g. 1.0.4:80,1.0.3:20
          --update-to=BUILD          the build players update to (store update); none by default
          --updates-per-minute=0     percent of players not yet on --update-to who update each minute
          --sockets=0.3              share of players who keep a WebSocket open
          --rate=1                   requests per second per player (exponential gaps)
          --match=10                 requests per match: a natural break after each (drains are acted on there)
          --logins-per-second=1      the trickle: a random player leaves and a new one logs in
          --ramp=00:00:10            spread the first logins over this long
          --duration=00:01:00        run this long (at most)
          --until-all-on=COLOR       end as soon as every player holds a ticket to COLOR (exit 3 if time runs out first)
          --report=00:00:05          print the table this often
          --platform=ios             the platform every player reports
          --summary=FILE             also write the summary as JSON to FILE, rewritten at every report ("final": true at the end)
          --seed=N                   random seed (default: random)
          --retry-failed=0           retry a failed game request up to N times (a second apart), as a game would: each
                                     failure is counted by cause in the summary ("retried"), with those a retry
                                     recovered ("recovered"); only one no retry recovered counts as a failure
        Launch day (instead of --players/--ramp/--logins-per-second):
          --arrivals=N               N players arrive, one after another at an even pace, over --over; none leaves
          --over=00:01:00            the arrival window
          --admin=URL                Admin, read at every report for each color's capacity and queue (key in RW_ADMIN_KEY)
          The run ends once every arrival holds a ticket (exit 3 if --duration ends first); the summary's "launch"
          part has players present against capacity, queue lengths, each player's wait and the error of the last
          wait estimate it was given.
        Exit code: 0 when nothing unexpected failed and no answer came from a cluster other than its ticket's.
        """;

    public required Uri Discovery { get; init; }

    public required Uri Gateway { get; init; }

    public int Players { get; init; } = 200;

    public IReadOnlyList<(string Build, double Weight)> Builds { get; init; } = [("1.0.4", 1)];

    public string? UpdateTo { get; init; }

    public double UpdatesPerMinute { get; init; }

    public double Sockets { get; init; } = 0.3;

    public double Rate { get; init; } = 1;

    public int Match { get; init; } = 10;

    public double LoginsPerSecond { get; init; } = 1;

    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(1);

    public string? UntilAllOn { get; init; }

    public TimeSpan Report { get; init; } = TimeSpan.FromSeconds(5);

    public string Platform { get; init; } = "ios";

    public string? Summary { get; init; }

    public int? Seed { get; init; }

    /// <summary>Retries of a failed game request (0: every failure counts at once).</summary>
    public int RetryFailed { get; init; }

    /// <summary>Launch mode: this many players arrive over <see cref="Over"/>; null for the steady population.</summary>
    public int? Arrivals { get; init; }

    public TimeSpan Over { get; init; } = TimeSpan.FromMinutes(1);

    public Uri? Admin { get; init; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static SimulatorOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var arg in args)
        {
            var separator = arg.IndexOf('=', StringComparison.Ordinal);
            if (!arg.StartsWith("--", StringComparison.Ordinal) || separator < 3)
            {
                throw new ArgumentException($"'{arg}' is not --name=value.");
            }

            values[arg[2..separator]] = arg[(separator + 1)..];
        }

        string? Text(string name) => values.Remove(name, out var value) ? value : null;
        T Get<T>(string name, T fallback, Func<string, T> parse, Func<T, bool> valid)
        {
            if (Text(name) is not { } text)
            {
                return fallback;
            }

            try
            {
                var value = parse(text);
                return valid(value) ? value : throw new FormatException();
            }
            catch (FormatException)
            {
                throw new ArgumentException($"--{name}={text} is not usable.");
            }
        }

        static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        static TimeSpan Span(string text) => TimeSpan.Parse(text, CultureInfo.InvariantCulture);
        static Uri Url(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : throw new FormatException();

        var options = new SimulatorOptions
        {
            Discovery = Get<Uri?>("discovery", null, Url, _ => true) ?? throw new ArgumentException("--discovery=URL is required."),
            Gateway = Get<Uri?>("gateway", null, Url, _ => true) ?? throw new ArgumentException("--gateway=URL is required."),
            Players = Get("players", 200, t => int.Parse(t, CultureInfo.InvariantCulture), v => v is >= 1 and <= 200_000),
            Builds = Get("builds", (IReadOnlyList<(string, double)>)[("1.0.4", 1)], ParseMix, v => v.Count > 0),
            UpdateTo = Text("update-to"),
            UpdatesPerMinute = Get("updates-per-minute", 0.0, Number, v => v is >= 0 and <= 100),
            Sockets = Get("sockets", 0.3, Number, v => v is >= 0 and <= 1),
            Rate = Get("rate", 1.0, Number, v => v is > 0 and <= 1000),
            Match = Get("match", 10, t => int.Parse(t, CultureInfo.InvariantCulture), v => v >= 1),
            LoginsPerSecond = Get("logins-per-second", 1.0, Number, v => v is >= 0 and <= 10_000),
            Ramp = Get("ramp", TimeSpan.FromSeconds(10), Span, v => v >= TimeSpan.Zero),
            Duration = Get("duration", TimeSpan.FromMinutes(1), Span, v => v > TimeSpan.Zero),
            UntilAllOn = Text("until-all-on"),
            Report = Get("report", TimeSpan.FromSeconds(5), Span, v => v >= TimeSpan.FromMilliseconds(100)),
            Platform = Text("platform") ?? "ios",
            Summary = Text("summary"),
            Seed = Get<int?>("seed", null, t => int.Parse(t, CultureInfo.InvariantCulture), _ => true),
            RetryFailed = Get("retry-failed", 0, t => int.Parse(t, CultureInfo.InvariantCulture), v => v is >= 0 and <= 20),
            Arrivals = Get<int?>("arrivals", null, t => int.Parse(t, CultureInfo.InvariantCulture), v => v is >= 1 and <= 200_000),
            Over = Get("over", TimeSpan.FromMinutes(1), Span, v => v >= TimeSpan.Zero),
            Admin = Get<Uri?>("admin", null, Url, _ => true),
        };
        if (options.Arrivals is { } arrivals)
        {
            // A launch: everyone arrives once over the window and stays; nobody leaves, nobody updates.
            options = new SimulatorOptions
            {
                Discovery = options.Discovery, Gateway = options.Gateway, Builds = options.Builds, Sockets = options.Sockets, Rate = options.Rate,
                Match = options.Match, Duration = options.Duration, Report = options.Report, Platform = options.Platform, Summary = options.Summary,
                Seed = options.Seed, Arrivals = arrivals, Over = options.Over, Admin = options.Admin,
                Players = arrivals, Ramp = options.Over, LoginsPerSecond = 0,
            };
        }
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option --{values.Keys.First()}.");
        }

        return options;
    }

    private static IReadOnlyList<(string, double)> ParseMix(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var pieces = part.Split(':');
            var weight = pieces.Length > 1 ? Number(pieces[1]) : 1;
            return pieces[0].Length > 0 && weight > 0 ? (pieces[0], weight) : throw new FormatException();
        })];

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
