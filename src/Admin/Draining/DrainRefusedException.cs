namespace RedWhite.Admin.Draining;

/// <summary>A cluster the drain controller cannot act on this pass, with the status that says why.</summary>
internal sealed class DrainRefusedException(DrainStatus status) : Exception(status.Error)
{
    public DrainStatus Status { get; } = status;
}
