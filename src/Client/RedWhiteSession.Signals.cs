using System.Globalization;
using System.Net.Http.Headers;

namespace RedWhite.Client;

/// <summary>What the Gateway signals on its answers: a drain of the player's cluster, a config announced for it.</summary>
public partial class RedWhiteSession
{
    /// <summary>Reads the Gateway's signals off an answer's headers.</summary>
    internal void Observe(string? ticket, IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach (var header in headers)
        {
            if (string.Equals(header.Key, DrainHeader, StringComparison.OrdinalIgnoreCase))
            {
                OnDrain(ticket, header.Value);
            }
            else if (string.Equals(header.Key, ConfigHeader, StringComparison.OrdinalIgnoreCase))
            {
                OnConfig(header.Value.Trim());
            }
        }
    }

    internal void Observe(string? ticket, HttpResponseHeaders headers)
    {
        if (headers.TryGetValues(DrainHeader, out var drain))
        {
            OnDrain(ticket, string.Join(",", drain));
        }

        if (headers.TryGetValues(ConfigHeader, out var config))
        {
            OnConfig(string.Join(",", config).Trim());
        }
    }

    private void OnDrain(string? ticket, string value)
    {
        DateTimeOffset? deadline = null;
        const string Prefix = "deadline=";
        var text = value.Trim();
        if (text.StartsWith(Prefix, StringComparison.Ordinal) &&
            DateTimeOffset.TryParse(text.Substring(Prefix.Length), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            deadline = parsed;
        }

        DrainSignal? signal = null;
        lock (signals)
        {
            var login = ticketed;
            if (login?.Ticket is { } held && (ticket is null || ticket == held) && drainedTicket != held)
            {
                drainedTicket = held;
                signal = new DrainSignal(login.Cluster, deadline);
            }
        }

        if (signal is not null)
        {
            DrainSignalled?.Invoke(this, signal);
        }
    }

    private void OnConfig(string version)
    {
        if (version.Length == 0)
        {
            return;
        }

        lock (signals)
        {
            if (version == configVersion || version == announcedConfig)
            {
                return;
            }

            announcedConfig = version;
        }

        ConfigAnnounced?.Invoke(this, version);
        if (options.DownloadAnnouncedConfigs)
        {
            _ = DownloadAnnouncedAsync(version);
        }
    }

    private async Task DownloadAnnouncedAsync(string version)
    {
        try
        {
            await configs.GetAsync(version, CancellationToken.None).ConfigureAwait(false);
            lock (signals)
            {
                if (announcedConfig == version)
                {
                    readyConfig = version; // switched at the next natural break
                }
            }
        }
        catch (Exception ex) when (ex is RedWhiteRequestFailedException or RedWhiteConfigIntegrityException or IOException or ArgumentException)
        {
            lock (signals)
            {
                if (announcedConfig == version)
                {
                    announcedConfig = null; // the next answer announcing it tries again
                }
            }
        }
    }
}
