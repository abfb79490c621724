using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Micro -- --filter '*'
// (this assembly is found from a benchmark class: the top-level Program would clash with the Gateway's, which it references)
BenchmarkSwitcher.FromAssembly(typeof(RedWhite.Micro.RoutingBenchmarks).Assembly).Run(args);
