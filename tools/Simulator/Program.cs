using RedWhite.Simulator;

// A population of game clients on RedWhite.Client (see SimulatorOptions.Usage). Ctrl+C ends the run early, with the summary.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SimulatorOptions.Usage);
    return 0;
}

SimulatorOptions options;
try
{
    options = SimulatorOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(SimulatorOptions.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

Console.WriteLine($"Simulating {options.Players} players against discovery {options.Discovery} and gateway {options.Gateway} for at most {options.Duration}.");
await using var population = new Population(options);
return await population.RunAsync(stop.Token);
