namespace RedWhite.Admin.Idempotency;

/// <summary>Endpoint metadata: the endpoint honours <c>Idempotency-Key</c>.</summary>
internal sealed class IdempotentMutation
{
    public static readonly IdempotentMutation Instance = new();

    private IdempotentMutation()
    {
    }
}
