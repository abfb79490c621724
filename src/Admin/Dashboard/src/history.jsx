import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';
import { JsonDiff } from './diff.jsx';
import { time } from './format.js';

const documents = new Map(); // kept revisions never change: read each once

async function revisionDocument(revision) {
  if (!documents.has(revision)) documents.set(revision, get(`/v1/registry/revisions/${revision}`).then((r) => r.body));
  try {
    return await documents.get(revision);
  } catch (error) {
    documents.delete(revision);
    throw error;
  }
}

/** Kept revisions, newest first: who changed what, the diff of each, and rollback to any of them. */
export function History({ revision, can, propose }) {
  const [revisions, setRevisions] = useState([]);
  const [selected, setSelected] = useState(null);
  const [pair, setPair] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => { get('/v1/registry/history?limit=100').then((r) => setRevisions(r.body.revisions), (e) => setError(e.message)); }, [revision]);

  useEffect(() => {
    if (selected === null) return;
    setPair(null);
    const earlier = revisions.find((r) => r.revision < selected)?.revision;
    Promise.all([revisionDocument(selected), earlier ? revisionDocument(earlier) : Promise.resolve(null)])
      .then(([after, before]) => setPair({ after, before }), (e) => setError(e.message));
  }, [selected, revisions]);

  return (
    <section aria-labelledby="history-title">
      <div class="section-head"><h1 id="history-title">History</h1><p class="muted">Every change is a new revision; a rollback restores an earlier one as a new revision.</p></div>
      {error && <p class="field-error" role="alert">{error}</p>}
      <div class="split">
        <table class="table selectable" aria-label="Revisions">
          <thead><tr><th>Revision</th><th>When</th><th>Who</th><th>What</th>{can.release && <th><span class="sr-only">Actions</span></th>}</tr></thead>
          <tbody>
            {revisions.map((r) => (
              <tr class={r.revision === selected ? 'selected' : ''} data-testid={`revision-${r.revision}`}>
                <td><button type="button" class="link" onClick={() => setSelected(r.revision)} aria-pressed={r.revision === selected}>#{r.revision}</button></td>
                <td>{time(r.at)}</td>
                <td>{r.actor ?? '—'}</td>
                <td><code>{r.action}</code> {r.target}{r.detail ? <span class="muted"> · {r.detail}</span> : null}</td>
                {can.release && (
                  <td>
                    {r.revision !== revision && (
                      <button type="button" class="secondary" onClick={() => propose({
                        method: 'POST', path: '/v1/registry/rollback', body: { toRevision: r.revision }, danger: true, confirm: 'Roll back',
                        title: `Roll back to revision ${r.revision}`, warning: 'The whole registry returns to that revision: clusters, weights, pins and config targets.',
                      })}>Roll back here</button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        <div class="card diff-panel" aria-live="polite">
          {selected === null && <p class="muted">Choose a revision to see what it changed.</p>}
          {selected !== null && !pair && <p class="muted">Reading revision {selected}…</p>}
          {pair && (
            <>
              <h2>Revision {selected}{pair.before ? ` against ${pair.before.revision}` : ''}</h2>
              {pair.before ? <JsonDiff before={pair.before} after={pair.after} /> : <pre class="diff">{JSON.stringify(pair.after, null, 2)}</pre>}
            </>
          )}
        </div>
      </div>
    </section>
  );
}
