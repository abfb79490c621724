import { useEffect, useState } from 'preact/hooks';
import { call, get } from './api.js';
import { shortVersion, time } from './format.js';

/** Published configs, publishing one, and pointing a cluster at one (a registry change, confirmed with its diff). */
export function Configs({ clusters, revision, can, propose, setNotice }) {
  const [configs, setConfigs] = useState([]);
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const [target, setTarget] = useState({ cluster: '', version: '' });

  const load = () => get('/v1/configs').then((r) => setConfigs(r.body), (e) => setError(e.message));
  useEffect(() => { load(); }, [revision]);

  const publish = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      const { body } = await call('PUT', '/v1/configs', { raw: text, idempotent: true }); // sent as written: its bytes are its version
      setNotice({ kind: 'ok', text: `Config published as ${body.version} (${body.size} bytes).` });
      setText('');
      setTarget((t) => ({ ...t, version: body.version }));
      load();
    } catch (failure) {
      setError(failure.message);
    }
  };

  const serving = clusters.filter((c) => c.state !== 'retired');
  return (
    <section aria-labelledby="configs-title">
      <div class="section-head"><h1 id="configs-title">Configs</h1><p class="muted">Immutable and content-addressed: a version is the SHA-256 of its canonical bytes.</p></div>
      {can.release && (
        <div class="two">
          <form class="card" onSubmit={publish} aria-labelledby="publish-title">
            <h2 id="publish-title">Publish a config</h2>
            <label for="config-text">Config (a JSON object)</label>
            <textarea id="config-text" rows="8" class="mono" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder='{ "dropRate": 0.05 }' />
            {error && <p class="field-error" role="alert">{error}</p>}
            <div class="actions"><button type="submit" disabled={!text.trim()}>Publish</button></div>
          </form>
          <form class="card" aria-labelledby="point-title" onSubmit={(e) => {
            e.preventDefault();
            propose({
              method: 'POST', path: `/v1/clusters/${encodeURIComponent(target.cluster)}/config`, body: { configVersion: target.version },
              title: `Point ${target.cluster} at config ${shortVersion(target.version)}`, confirm: 'Set config target',
            });
          }}>
            <h2 id="point-title">Point a cluster at a config</h2>
            <label for="point-cluster">Cluster</label>
            <select id="point-cluster" value={target.cluster} onChange={(e) => setTarget({ ...target, cluster: e.currentTarget.value })}>
              <option value="">choose…</option>
              {serving.map((c) => <option value={c.id}>{c.id} ({c.state})</option>)}
            </select>
            <label for="point-version">Config version</label>
            <select id="point-version" value={target.version} onChange={(e) => setTarget({ ...target, version: e.currentTarget.value })}>
              <option value="">choose…</option>
              {configs.map((c) => <option value={c.version}>{shortVersion(c.version)} · {time(c.publishedAt)}</option>)}
            </select>
            <p class="muted">Servers are told first; players are told once the cluster's servers hold it. Rolling back is the same call with the earlier version.</p>
            <div class="actions"><button type="submit" disabled={!target.cluster || !target.version}>Review</button></div>
          </form>
        </div>
      )}
      <table class="table" aria-label="Published configs">
        <thead><tr><th>Version</th><th>Size</th><th>Published</th><th>By</th><th>Target of</th></tr></thead>
        <tbody>
          {configs.map((c) => (
            <tr><td><code title={c.version}>{shortVersion(c.version)}</code></td><td>{c.size} B</td><td>{time(c.publishedAt)}</td><td>{c.publishedBy}</td><td>{c.clusters.join(', ') || '—'}</td></tr>
          ))}
          {configs.length === 0 && <tr><td colSpan="5" class="muted">No config published yet.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}
