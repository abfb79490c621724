using RedWhite.Core.Registry;
using RedWhite.Core.Validation;

namespace RedWhite.Registry.Monitoring;

/// <summary>Reads a local registry copy (the last-known-good snapshot, or <c>Registry:File</c> as a seed).</summary>
internal static class SnapshotFile
{
    /// <summary>The document at <paramref name="path"/> if it exists, parses and passes validation; otherwise null.</summary>
    public static RegistryDocument? TryRead(string? path)
    {
        if (path is not { Length: > 0 } || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var document = RegistryJson.TryParse(File.ReadAllBytes(path), out _);
            return document is not null && RegistryDocumentValidator.Check(document).Count == 0 ? document : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // an unreadable copy is no copy; the caller falls back or reports
        }
    }
}
