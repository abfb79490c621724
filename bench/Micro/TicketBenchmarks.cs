using BenchmarkDotNet.Attributes;
using RedWhite.Core.Tickets;

namespace RedWhite.Micro;

/// <summary>Ticket sign and verify: verify runs on every gateway request.</summary>
[MemoryDiagnoser]
public class TicketBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private TicketCodec codec = null!;
    private string ticket = "";

    [GlobalSetup]
    public void Setup()
    {
        codec = new TicketCodec(new TicketOptions
        {
            SigningKeys = new() { ["k1"] = Convert.ToBase64String(new byte[32]), ["k2"] = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()) },
            ActiveKeyId = "k2",
        });
        ticket = codec.Issue("player-1234567", "white-1.0", "1.0.4", "sha256-9f2c4a1b", Now).Ticket;
    }

    [Benchmark]
    public string Issue() => codec.Issue("player-1234567", "white-1.0", "1.0.4", "sha256-9f2c4a1b", Now).Ticket;

    [Benchmark]
    public TicketStatus Verify() => codec.Verify(ticket, Now, out _);
}
