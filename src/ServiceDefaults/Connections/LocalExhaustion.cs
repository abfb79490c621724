using System.Net.Sockets;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>
/// Failures that say this process (or its host) ran out of something, not that the other side failed: no file
/// descriptor (EMFILE, ENFILE), no socket buffer (ENOBUFS), no memory. A game server must never be judged on them.
/// </summary>
public static class LocalExhaustion
{
    private const int ENOMEM = 12, ENFILE = 23, EMFILE = 24, ENOBUFS = 105;

    /// <summary>Whether <paramref name="exception"/> or one it wraps is such a failure.</summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException s when s.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable
                    || s.NativeErrorCode is ENOMEM or ENFILE or EMFILE or ENOBUFS:
                case OutOfMemoryException:
                    return true;
            }
        }

        return false;
    }
}
