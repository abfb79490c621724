import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';
import { time } from './format.js';

/** The audit log, filterable by cluster and actor (release managers' keys and the controllers). */
export function Audit({ clusters, revision }) {
  const [filter, setFilter] = useState({ cluster: '', actor: '' });
  const [entries, setEntries] = useState([]);
  const [actors, setActors] = useState([]);
  const [error, setError] = useState(null);

  useEffect(() => {
    const query = new URLSearchParams({ limit: '200' });
    if (filter.cluster) query.set('cluster', filter.cluster);
    if (filter.actor) query.set('actor', filter.actor);
    get(`/v1/audit?${query}`).then((r) => {
      setEntries(r.body.entries);
      setError(null);
      if (!filter.cluster && !filter.actor) setActors([...new Set(r.body.entries.map((e) => e.actor))].sort());
    }, (e) => setError(e.message));
  }, [filter, revision]);

  return (
    <section aria-labelledby="audit-title">
      <div class="section-head"><h1 id="audit-title">Audit</h1><p class="muted">Who changed what, when, newest first.</p></div>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the audit log">
        <label for="audit-cluster">Cluster</label>
        <select id="audit-cluster" value={filter.cluster} onChange={(e) => setFilter({ ...filter, cluster: e.currentTarget.value })}>
          <option value="">all</option>
          {clusters.map((c) => <option value={c.id}>{c.id}</option>)}
        </select>
        <label for="audit-actor">Actor</label>
        <select id="audit-actor" value={filter.actor} onChange={(e) => setFilter({ ...filter, actor: e.currentTarget.value })}>
          <option value="">all</option>
          {actors.map((a) => <option value={a}>{a}</option>)}
        </select>
      </form>
      {error && <p class="field-error" role="alert">{error}</p>}
      <table class="table" aria-label="Audit entries" data-testid="audit-table">
        <thead><tr><th>When</th><th>Actor</th><th>Action</th><th>Target</th><th>Revision</th><th>Detail</th></tr></thead>
        <tbody>
          {entries.map((e) => (
            <tr><td>{time(e.at)}</td><td>{e.actor}</td><td><code>{e.action}</code></td><td>{e.target}</td><td>{e.revisionBefore} → {e.revisionAfter}</td><td>{e.detail ?? ''}</td></tr>
          ))}
          {entries.length === 0 && <tr><td colSpan="6" class="muted">Nothing recorded{filter.cluster || filter.actor ? ' for this filter' : ''}.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}
