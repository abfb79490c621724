namespace RedWhite.TestKit;

/// <summary>A fresh folder under the temp directory for one test, deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IAsyncDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rw-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>A registry file path inside it (stores keep their own files beside it).</summary>
    public string RegistryFile => System.IO.Path.Combine(Path, "clusters.json");

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Path, recursive: true);
        return ValueTask.CompletedTask;
    }
}
