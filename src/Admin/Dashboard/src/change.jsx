import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apply, preview } from './api.js';
import { JsonDiff } from './diff.jsx';

/**
 * Confirms one registry change: a dry run against the revision on screen shows exactly what will change,
 * then the same request is made with that revision as precondition. A 412 means someone else changed the
 * registry meanwhile: nothing is applied, the page refreshes and says so. Field errors go back to the form.
 */
export function ChangeDialog({ change, onDone }) {
  const dialog = useRef(null);
  const [plan, setPlan] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(true);
  const [frozen, setFrozen] = useState(false);
  const [reason, setReason] = useState('');

  const fail = (failure) => {
    setBusy(false);
    if (failure instanceof ApiError && failure.status === 412) {
      onDone({ stale: failure.problem.detail ?? 'another change was made' });
    } else if (failure instanceof ApiError && failure.code === 'change_frozen') {
      setFrozen(true); // the freeze is lifted only by an emergency with its reason
      setError(failure.message);
    } else if (failure instanceof ApiError && failure.problem.errors && change.onFieldErrors) {
      change.onFieldErrors(failure.fields);
      onDone(null);
    } else {
      setError(failure.message);
    }
  };

  useEffect(() => {
    dialog.current?.showModal();
    preview(change.method, change.path, change.body, change.revision).then((p) => { setPlan(p); setBusy(false); }, fail);
  }, []);

  const confirm = async (emergency) => {
    setBusy(true);
    try {
      const outcome = await apply(change.method, change.path, change.body, change.revision, emergency);
      if (outcome.proposal) {
        onDone({ applied: `${change.title}: proposed as ${outcome.proposal.id}; another release manager approves it on the Proposals tab.` });
        return;
      }
      change.onApplied?.();
      onDone({ applied: `${change.title}: done (revision ${plan.after.revision}).` });
    } catch (failure) {
      fail(failure);
    }
  };

  return (
    <dialog ref={dialog} class="change" aria-labelledby="change-title" onCancel={(e) => { e.preventDefault(); if (!busy) onDone(null); }}>
      <h2 id="change-title">{change.title}</h2>
      {change.warning && <p class="warning-text">{change.warning}</p>}
      {plan && (
        <>
          <p>
            Revision {plan.before.revision} → <strong>{plan.after.revision}</strong>: <code>{plan.action}</code> on <code>{plan.target}</code>
            {plan.detail ? <> ({plan.detail})</> : null}
          </p>
          <JsonDiff before={plan.before} after={plan.after} />
        </>
      )}
      {!plan && !error && <p class="muted">Planning the change…</p>}
      {error && <p class="field-error" role="alert" data-testid="change-error">{error}</p>}
      {frozen && (
        <div class="field">
          <label for="emergency-reason">Emergency reason (audited, sent to webhooks)</label>
          <input id="emergency-reason" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </div>
      )}
      <div class="actions">
        <button type="button" class="ghost" onClick={() => onDone(null)} disabled={busy && !!plan}>Cancel</button>
        {frozen ? (
          <button type="button" class="danger" onClick={() => confirm(reason.trim())} disabled={busy || !reason.trim()} data-testid="confirm-emergency">
            Make as emergency
          </button>
        ) : (
          <button type="button" class={change.danger ? 'danger' : ''} onClick={() => confirm()} disabled={busy || !plan} data-testid="confirm" autofocus>
            {change.confirm ?? 'Apply'}
          </button>
        )}
      </div>
    </dialog>
  );
}
