using Microsoft.Extensions.Options;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Auth;

/// <summary>The configured API keys with their names and roles, compared in constant time (<see cref="KeyRing{T}"/>).</summary>
internal sealed class ApiKeyRing(IOptions<ApiKeyOptions> options)
{
    private readonly KeyRing<(string Name, AdminRole Role)> keys = new(
        options.Value.ApiKeys
            .Where(k => k.Value.Key.Length > 0 && Enum.GetNames<AdminRole>().Contains(k.Value.Role, StringComparer.Ordinal))
            .Select(k => (k.Value.Key, (k.Key, Enum.Parse<AdminRole>(k.Value.Role)))));

    /// <summary>Finds the key's name and role; compares against every configured key without stopping early.</summary>
    public bool TryIdentify(string presented, out string name, out AdminRole role)
    {
        var found = keys.TryIdentify(presented, out var holder);
        (name, role) = found ? holder : ("", default);
        return found;
    }
}
