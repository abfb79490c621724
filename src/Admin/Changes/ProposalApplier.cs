using RedWhite.Admin.Draining;
using RedWhite.Registry;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Leases;
using RedWhite.Registry.Proposals;

namespace RedWhite.Admin.Changes;

/// <summary>
/// Applies approved proposals whose time has come, once, on the Admin holding the <c>proposals</c> lease: every second it
/// lists the scheduled ones due and commits each with its base revision as the precondition. A registry changed
/// meanwhile (or a freeze in force at that time) ends it stale, audited and sent to webhooks; a store that is down
/// leaves it scheduled for the next tick. Also the fallback for an approval whose Admin stopped before committing.
/// </summary>
internal sealed class ProposalApplier(
    IProposalStore proposals, ProposalBook book, ILeaseStore leases, Microsoft.Extensions.Options.IOptions<DrainingOptions> draining,
    TimeProvider time, ILogger<ProposalApplier> logger)
    : LeasedService(leases, "proposals", draining.Value.InstanceId, time, logger)
{
    /// <inheritdoc />
    protected override TimeSpan Period => TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override TimeSpan LeaseDuration => TimeSpan.FromSeconds(15);

    /// <inheritdoc />
    protected override Task TickAsync(CancellationToken cancellationToken) => WhileHoldingAsync(async token =>
    {
        var now = Time.GetUtcNow();
        foreach (var due in (await proposals.ListAsync(now, token)).Where(p => p.Status == ProposalStatus.Scheduled && p.ApplyAt <= now))
        {
            try
            {
                await book.CommitAsync(due, token);
            }
            catch (RegistryStoreUnavailableException)
            {
                // it stays scheduled; the next tick tries again
            }
        }
    }, cancellationToken);
}
