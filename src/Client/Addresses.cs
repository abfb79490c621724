using System.Net.Sockets;

namespace RedWhite.Client;

/// <summary>
/// The addresses of one service (Discovery or the Gateway), in the order given: requests go to the current one, and a
/// connection that cannot be made or is reset moves every later request to the next (wrapping round). A name that
/// resolves to several addresses needs no list: .NET's connect already tries each address it resolves to.
/// </summary>
internal sealed class Addresses
{
    private readonly Uri[] all;
    private int current;

    public Addresses(Uri? first, IEnumerable<Uri> alternates)
    {
        all = [.. (first is null ? [] : new[] { first }).Concat(alternates)];
    }

    /// <summary>How many there are.</summary>
    public int Count => all.Length;

    /// <summary>Where requests go now; null when none was configured.</summary>
    public Uri? Current => all.Length == 0 ? null : all[Volatile.Read(ref current) % all.Length];

    /// <summary>
    /// <paramref name="failed"/> could not be reached: later requests go to the next address. Many requests failing on
    /// the same address at once move on once.
    /// </summary>
    public void MoveOn(Uri failed)
    {
        var seen = Volatile.Read(ref current);
        if (all.Length > 1 && all[seen % all.Length] == failed)
        {
            Interlocked.CompareExchange(ref current, (seen + 1) % all.Length, seen);
        }
    }

    /// <summary>
    /// <paramref name="request"/>'s URI moved from whichever of these addresses it names to <paramref name="to"/>: the
    /// same path and query on the other instance. A URI on none of them is returned as it is.
    /// </summary>
    public Uri Rebase(Uri request, Uri to)
    {
        foreach (var address in all)
        {
            if (address.IsBaseOf(request))
            {
                return new Uri(to, address.MakeRelativeUri(request));
            }
        }

        return request;
    }

    /// <summary>Which of these addresses <paramref name="request"/> was sent to, if any.</summary>
    public Uri? Of(Uri request) => Array.Find(all, a => a.IsBaseOf(request));

    /// <summary>
    /// Whether <paramref name="exception"/> means the connection could not be made or broke before an answer came
    /// (refused, reset, unreachable): another instance may well serve the request.
    /// </summary>
    public static bool IsConnectionFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
#if NET8_0_OR_GREATER
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded or HttpRequestError.NameResolutionError })
            {
                return true;
            }
#endif
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound })
            {
                return true;
            }
        }

        return false;
    }
}
