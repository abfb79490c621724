using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Auth;

/// <summary>
/// Makes guessing API keys slow: a client address that sends <see cref="ApiKeyOptions.FailedKeyLimit"/>
/// wrong keys within <see cref="ApiKeyOptions.FailedKeyWindow"/> is answered 429 with <c>Retry-After</c>
/// until that window ends, whatever key it sends. The log gets one line when an address starts failing
/// and one when it is refused, with the count, instead of a line per attempt. IPv6 clients are counted
/// per /64, the block one subscriber holds; the table of addresses is bounded.
/// </summary>
internal sealed class KeyGuessLimiter(IOptions<ApiKeyOptions> options, TimeProvider time, ILogger<KeyGuessLimiter> logger)
{
    /// <summary>Most addresses tracked at once; past it, expired windows are swept and new addresses wait for room.</summary>
    public const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<IPAddress, Window> windows = new();
    private readonly int limit = options.Value.FailedKeyLimit;
    private readonly TimeSpan length = options.Value.FailedKeyWindow;

    /// <summary>How long <paramref name="address"/> must wait, or <c>null</c> when it may try a key.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        if (address is null ||
            (!windows.TryGetValue(ClientAddress.Block(address), out var window) && (windows.Count < MaxTracked || !windows.TryGetValue(IPAddress.None, out window))))
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (window)
        {
            if (window.Failures < limit || now >= window.Ends)
            {
                return null;
            }

            window.Refused++;
            return window.Ends - now;
        }
    }

    /// <summary>Counts a wrong key from <paramref name="address"/>.</summary>
    public void Failed(IPAddress? address, string path)
    {
        if (address is null)
        {
            return;
        }

        var block = ClientAddress.Block(address);
        var now = time.GetUtcNow();
        if (!windows.TryGetValue(block, out var window))
        {
            if (windows.Count >= MaxTracked)
            {
                Sweep(now);

                // Still full: more addresses are guessing at once than are tracked. They share one count, so
                // spreading a guessing run over many addresses buys nothing.
                if (windows.Count >= MaxTracked)
                {
                    block = IPAddress.None;
                }
            }

            window = windows.GetOrAdd(block, _ => new Window { Ends = now + length });
        }

        lock (window)
        {
            if (now >= window.Ends)
            {
                if (window.Refused > 0)
                {
                    Log.ApiKeyGuessingEnded(logger, block.ToString(), window.Failures, window.Refused);
                }

                (window.Ends, window.Failures, window.Refused) = (now + length, 0, 0);
            }

            window.Failures++;
            if (window.Failures == 1)
            {
                Log.ApiKeyRejected(logger, block.ToString(), path);
            }
            else if (window.Failures == limit)
            {
                Log.ApiKeyGuessingRefused(logger, block.ToString(), window.Failures, length, window.Ends);
            }
        }
    }

    /// <summary>A 429 problem telling the client when it may try again.</summary>
    public static IResult TooMany(HttpResponse response, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(response);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Code(StatusCodes.Status429TooManyRequests, "too_many_failed_keys", "Too many wrong API keys from this address.",
            $"Try again in {seconds} s.");
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, window) in windows)
        {
            if (now >= window.Ends)
            {
                windows.TryRemove(key, out _);
            }
        }
    }

    private sealed class Window
    {
        public DateTimeOffset Ends;
        public int Failures;
        public int Refused;
    }
}
