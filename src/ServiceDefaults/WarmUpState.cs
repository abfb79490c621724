namespace RedWhite.ServiceDefaults;

/// <summary>
/// Whether the service is still warming up before it takes traffic: <c>/readyz</c> answers 503
/// <c>{"status":"warming-up"}</c> until the warm-up ends. Without a warm-up the service is never warming.
/// </summary>
public sealed class WarmUpState
{
    private volatile bool warming;

    /// <summary>True from the start of a warm-up to its end.</summary>
    public bool Warming => warming;

    /// <summary>Holds readiness back; call before the server starts so no moment reads ready too early.</summary>
    public void Begin() => warming = true;

    /// <summary>Lets readiness follow the registry again.</summary>
    public void End() => warming = false;
}
