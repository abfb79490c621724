using System.Globalization;
using RedWhite.Runner;

// The benchmark runner behind bench/run. Usage:
//   Runner http [rounds] [seconds] [connections,...]     direct vs plain YARP vs nginx vs gateway
//   Runner tail [rounds] [seconds] [processes] [rate]      open-loop fixed-rate latency: plain YARP vs the gateway (rate 0: half of plain YARP's saturated)
//   Runner login [rounds] [seconds] [connections,...]    Discovery login vs a trivial endpoint
//   Runner configs [rounds] [seconds] [connections,...]  GET /v1/configs/{version} on Discovery (200 and 304)
//   Runner websockets [count] [seconds] [interval]       long-lived connections through the gateway
//   Runner propagation [changes]                         Admin change to gateway routing (file store)
//   Runner propagation-redis [changes]                   the same on Redis: two Admins, two Gateways
//   Runner coldstart [starts] [connections]              a gateway started cold under load: JIT build vs ReadyToRun publish
//   Runner simulator [players,...]                       simulated players (tools/Simulator) at growing populations
//   Runner surge [websockets|http|login] [held] [surge] [open files]  a connection surge past the limit (0 files: as inherited)
//   Runner idempotency [refused] [accepted]             Admin's memory after calls with fresh Idempotency-Keys
//   Runner launch [arrivals] [seconds] [capacity] [raised]  launch day: simulated arrivals at a color of fixed capacity, then raised
//   Runner admission-wave [players] [seconds]           a reconnect wave of logins at the login cap (file store and Redis)
//   Runner admission-memory [queued]                    memory of a full login queue (file store and Redis)
//   Runner chaos [players] [spacing s] [fault s]       a whole push on the production shape, without and then with faults
//   Runner grpc [rounds] [seconds] [in flight]          gRPC unary calls through the Gateway (h2c) vs straight to the service
//   Runner package [folder]                            registry, tickets and keys for bench/run package (the many-core A/B)
// Each prints a Markdown table on stdout (progress on stderr).
var scenario = args.ElementAtOrDefault(0) ?? "http";
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
int[] List(int i, int[] fallback) => args.Length > i ? [.. args[i].Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))] : fallback;

var table = scenario switch
{
    "http" => await HttpScenario.RunAsync(Arg(1, 3), TimeSpan.FromSeconds(Arg(2, 10)), List(3, [64, 256])),
    "tail" => await TailScenario.RunAsync(Arg(1, 5), TimeSpan.FromSeconds(Arg(2, 10)), Arg(3, 3), Arg(4, 0)),
    "grpc" => await GrpcScenario.RunAsync(Arg(1, 3), TimeSpan.FromSeconds(Arg(2, 10)), Arg(3, 64)),
    "package" => await PackageScenario.WriteAsync(args.ElementAtOrDefault(1) ?? "bench/package"),
    "login" => await LoginScenario.RunAsync(Arg(1, 3), TimeSpan.FromSeconds(Arg(2, 10)), List(3, [64, 256])),
    "configs" => await ConfigScenario.RunAsync(Arg(1, 3), TimeSpan.FromSeconds(Arg(2, 10)), List(3, [64, 256])),
    "websockets" => await WebSocketScenario.RunAsync(Arg(1, 10_000), TimeSpan.FromSeconds(Arg(2, 60)), TimeSpan.FromSeconds(Arg(3, 5))),
    "propagation" => await PropagationScenario.RunOnFileAsync(Arg(1, 200)),
    "propagation-redis" => await PropagationScenario.RunOnRedisAsync(Arg(1, 200)),
    "coldstart" => await ColdStartScenario.RunAsync(Arg(1, 3), Arg(2, 256)),
    "simulator" => await SimulatorScenario.RunAsync(List(1, [500, 1000, 2000, 4000])),
    "surge" => await SurgeScenario.RunAsync(args.ElementAtOrDefault(1) ?? "websockets", Arg(2, 6_000), Arg(3, 9_000), Arg(4, 20_000)),
    "idempotency" => await IdempotencyScenario.RunAsync(Arg(1, 100_000), Arg(2, 30_000)),
    "admission-wave" => await AdmissionScenario.RunWaveAsync(Arg(1, 2_000), TimeSpan.FromSeconds(Arg(2, 5))),
    "admission-memory" => await AdmissionScenario.RunMemoryAsync(Arg(1, 100_000)),
    "chaos" => await ChaosScenario.RunAsync(Arg(1, 2_000), TimeSpan.FromSeconds(Arg(2, 60)), TimeSpan.FromSeconds(Arg(3, 20))),
    "launch" => await LaunchScenario.RunAsync(Arg(1, 8_000), TimeSpan.FromSeconds(Arg(2, 60)), Arg(3, 2_000), Arg(4, 10_000)),
    _ => throw new ArgumentException($"Unknown scenario '{scenario}'. Use http, tail, login, configs, websockets, propagation, propagation-redis, coldstart, simulator, surge, idempotency, launch, admission-wave, admission-memory, chaos, grpc or package."),
};
Console.WriteLine(table);
