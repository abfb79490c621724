import { useCallback, useEffect, useState } from 'preact/hooks';
import { call, get } from './api.js';
import { usePolling } from './poll.js';
import { JsonDiff } from './diff.jsx';
import { fromLocalInput, time } from './format.js';

/**
 * Changes waiting for a second release manager (Admin:Approvals:Required), and what became of the others. A pending
 * one shows its diff; another release manager approves it (now, or at a time) or rejects it with a reason. Approval
 * sends the digest of the proposal as read here, so what is applied is exactly what was shown.
 */
export function Proposals({ me, can, setNotice, refresh }) {
  const [proposals, setProposals] = useState(null);

  const load = useCallback(async () => {
    try {
      setProposals((await get('/v1/proposals')).body.proposals);
    } catch (error) {
      setNotice({ kind: 'error', text: `Proposals could not be read: ${error.message}` });
    }
  }, [setNotice]);

  usePolling(load, 2000);

  const pending = (proposals ?? []).filter((p) => p.status === 'pending');
  const others = (proposals ?? []).filter((p) => p.status !== 'pending');
  return (
    <section aria-labelledby="proposals-title">
      <div class="section-head">
        <h1 id="proposals-title">Proposals</h1>
        <p class="muted">Changes that need a second release manager. Approving applies the change only if the registry is still at the revision it was planned on.</p>
      </div>
      {pending.map((p) => <Pending key={p.id} summary={p} me={me} can={can} setNotice={setNotice} done={() => { load(); refresh(); }} />)}
      {proposals && pending.length === 0 && <p class="muted" data-testid="no-pending">Nothing waits for approval.</p>}
      <table class="table" aria-label="Decided proposals">
        <thead><tr><th>Proposed</th><th>Change</th><th>Status</th><th>By</th><th>Decided by</th></tr></thead>
        <tbody>
          {others.map((p) => (
            <tr data-testid={`proposal-${p.id}`}>
              <td>{time(p.proposedAt)}</td>
              <td><code>{p.action}</code> {p.target}{p.emergency ? <span class="badge draining"> emergency</span> : null}</td>
              <td data-testid="proposal-status">
                <span class={`badge ${p.status}`}>{p.status}</span>
                {p.status === 'scheduled' && <span class="muted"> at {time(p.applyAt)}</span>}
                {p.appliedRevision && <span class="muted"> revision {p.appliedRevision}</span>}
                {p.reason && <span class="muted"> {p.reason}</span>}
              </td>
              <td>{p.proposedBy}</td>
              <td>{p.decidedBy ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Pending({ summary, me, can, setNotice, done }) {
  const [full, setFull] = useState(null);
  const [applyAt, setApplyAt] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const own = summary.proposedBy.toLowerCase() === me.name.toLowerCase();

  useEffect(() => {
    get(`/v1/proposals/${encodeURIComponent(summary.id)}`).then((r) => setFull(r.body), (error) => setNotice({ kind: 'error', text: error.message }));
  }, [summary.id, setNotice]);

  const decide = async (verb, body, text) => {
    setBusy(true);
    try {
      await call('POST', `/v1/proposals/${encodeURIComponent(summary.id)}/${verb}`, { body, idempotent: true });
      setNotice({ kind: 'ok', text });
    } catch (error) {
      setNotice({ kind: 'error', text: error.message });
    }
    setBusy(false);
    done();
  };

  return (
    <article class="card" data-testid={`pending-${summary.id}`} aria-label={`Proposal ${summary.id}`}>
      <h2><code>{summary.action}</code> {summary.target}</h2>
      <p>
        Proposed by <strong>{summary.proposedBy}</strong> {time(summary.proposedAt)} on revision {summary.basedOn}; expires {time(summary.expiresAt)}.
        {summary.detail ? <> {summary.detail}.</> : null}
        {summary.emergency ? <> <strong>Emergency:</strong> {summary.emergency}</> : null}
      </p>
      {full ? <JsonDiff before={full.before} after={full.after} label={`Diff of ${summary.id}`} /> : <p class="muted">Reading the change…</p>}
      {can.release && (
        own ? <p class="muted" data-testid="own-proposal">You proposed it: another release manager approves it.</p> : (
          <div class="inline-form">
            <div class="field">
              <label for={`at-${summary.id}`}>Apply at (empty: now)</label>
              <input id={`at-${summary.id}`} type="datetime-local" value={applyAt} onInput={(e) => setApplyAt(e.currentTarget.value)} />
            </div>
            <div class="actions">
              <button type="button" disabled={busy || !full}
                onClick={() => decide('approve', { digest: full.digest, applyAt: applyAt ? fromLocalInput(applyAt) : null },
                  applyAt ? `${summary.id} approved to apply at ${time(fromLocalInput(applyAt))}.` : `${summary.id} approved and applied.`)}>
                Approve
              </button>
            </div>
            <div class="field">
              <label for={`why-${summary.id}`}>Reason to reject</label>
              <input id={`why-${summary.id}`} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </div>
            <div class="actions">
              <button type="button" class="secondary danger-text" disabled={busy || !reason.trim()}
                onClick={() => decide('reject', { reason: reason.trim() }, `${summary.id} rejected.`)}>
                Reject
              </button>
            </div>
          </div>
        )
      )}
    </article>
  );
}
