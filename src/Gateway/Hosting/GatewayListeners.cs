using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RedWhite.ServiceDefaults;

namespace RedWhite.Gateway.Hosting;

/// <summary>
/// The Gateway's HTTP/2 listeners, for gRPC: <c>Gateway:H2c:Urls</c>, cleartext HTTP/2 with prior knowledge (what gRPC
/// clients speak without TLS; a cleartext port cannot offer both versions, so it is a port of its own), and
/// <c>Gateway:Https:Urls</c> with <c>Gateway:Https:CertificateFile</c> and <c>:KeyFile</c> (PEM), HTTP/1.1 and HTTP/2
/// chosen by ALPN. Kestrel binds either <c>urls</c> or its own endpoints, never both; so when either is set, every URL
/// of <c>urls</c> (the public ones and the management listener) becomes an endpoint beside them, as it was.
/// </summary>
internal static class GatewayListeners
{
    public const string H2cUrls = "Gateway:H2c:Urls";
    public const string HttpsUrls = "Gateway:Https:Urls";
    public const string CertificateFile = "Gateway:Https:CertificateFile";
    public const string KeyFile = "Gateway:Https:KeyFile";

    public static void Apply(IConfiguration configuration)
    {
        var h2c = Split(configuration[H2cUrls]);
        var https = Split(configuration[HttpsUrls]);
        if (h2c.Count == 0 && https.Count == 0)
        {
            return;
        }

        var plain = Split(configuration["urls"]) is { Count: > 0 } urls ? urls : ["http://localhost:5000"];
        var taken = new HashSet<int>(plain.Select(PortOf).OfType<int>());
        foreach (var (url, scheme, key) in h2c.Select(u => (u, "http", H2cUrls)).Concat(https.Select(u => (u, "https", HttpsUrls))))
        {
            if (!Uri.TryCreate(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ||
                uri.Scheme != scheme || PortOf(url) is not { } port || uri.AbsolutePath != "/")
            {
                throw OptionsValidation.Refused("Gateway", $"{key} has '{url}': give {scheme}://host:port with an explicit port, several separated by ';'.");
            }

            if (!taken.Add(port))
            {
                throw OptionsValidation.Refused("Gateway", $"{key} has '{url}', whose port another listener of this Gateway uses: give each listener a port of its own.");
            }
        }

        var index = 0;
        foreach (var url in plain)
        {
            configuration[$"Kestrel:Endpoints:Url{index++}:Url"] = url;
        }

        foreach (var url in h2c)
        {
            configuration[$"Kestrel:Endpoints:H2c{index}:Url"] = url;
            configuration[$"Kestrel:Endpoints:H2c{index++}:Protocols"] = "Http2";
        }

        if (https.Count > 0)
        {
            var (certificate, privateKey) = (configuration[CertificateFile], configuration[KeyFile]);
            CheckCertificate(certificate, privateKey);
            foreach (var url in https)
            {
                configuration[$"Kestrel:Endpoints:Https{index}:Url"] = url;
                configuration[$"Kestrel:Endpoints:Https{index}:Protocols"] = "Http1AndHttp2";
                configuration[$"Kestrel:Endpoints:Https{index}:Certificate:Path"] = certificate;
                configuration[$"Kestrel:Endpoints:Https{index++}:Certificate:KeyPath"] = privateKey;
            }
        }

        configuration["urls"] = ""; // bound as endpoints above
    }

    /// <summary>Refuses the start, in one line, unless both files are there and hold a certificate with its private key.</summary>
    private static void CheckCertificate(string? certificate, string? privateKey)
    {
        if (string.IsNullOrWhiteSpace(certificate) || string.IsNullOrWhiteSpace(privateKey))
        {
            throw OptionsValidation.Refused("Gateway", $"{HttpsUrls} needs {CertificateFile} and {KeyFile}: the certificate and its private key, PEM files.");
        }

        try
        {
            using var loaded = X509Certificate2.CreateFromPemFile(certificate, privateKey);
            if (!loaded.HasPrivateKey)
            {
                throw OptionsValidation.Refused("Gateway", $"{KeyFile} '{privateKey}' holds no private key for {CertificateFile}.");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw OptionsValidation.Refused("Gateway", $"{CertificateFile} '{certificate}' with {KeyFile} '{privateKey}' cannot be loaded: {ex.Message}");
        }
    }

    private static List<string> Split(string? urls) => [.. (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static int? PortOf(string url)
    {
        var authority = url[(url.IndexOf("://", StringComparison.Ordinal) is var at and >= 0 ? at + 3 : 0)..].TrimEnd('/');
        var colon = authority.LastIndexOf(':');
        return colon > authority.LastIndexOf(']') && int.TryParse(authority[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var port) &&
            port is > 0 and <= 65535 ? port : null;
    }
}
