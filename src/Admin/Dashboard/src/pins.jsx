import { useState } from 'preact/hooks';
import { localInputIn, fromLocalInput, time } from './format.js';

/** QA devices pinned to a cluster (usually a canary), with an expiry. */
export function Pins({ registry, clusters, can, propose }) {
  const serving = clusters.filter((c) => c.state !== 'retired');
  const [form, setForm] = useState({ deviceId: '', clusterId: '', expires: localInputIn(24) });
  const [errors, setErrors] = useState({});

  const pin = (event) => {
    event.preventDefault();
    setErrors({});
    propose({
      method: 'PUT', path: `/v1/pins/${encodeURIComponent(form.deviceId.trim())}`,
      body: { clusterId: form.clusterId, expires: fromLocalInput(form.expires) },
      title: `Pin ${form.deviceId.trim()} to ${form.clusterId}`, confirm: 'Pin', onFieldErrors: setErrors,
      onApplied: () => setForm({ ...form, deviceId: '' }),
    });
  };

  return (
    <section aria-labelledby="pins-title">
      <div class="section-head"><h1 id="pins-title">QA pins</h1><p class="muted">A pinned device logs in to its cluster whatever its build, until the pin expires.</p></div>
      {can.pin && (
        <form class="card inline-form" onSubmit={pin} aria-label="Pin a device" data-testid="pin-form">
          <div class={errors.deviceId ? 'field invalid' : 'field'}>
            <label for="pin-device">Device id</label>
            <input id="pin-device" required value={form.deviceId} onInput={(e) => setForm({ ...form, deviceId: e.currentTarget.value })} placeholder="qa-ipad-07" />
            <p class="field-error">{(errors.deviceId ?? []).join(' ')}</p>
          </div>
          <div class={errors.clusterId ? 'field invalid' : 'field'}>
            <label for="pin-cluster">Cluster</label>
            <select id="pin-cluster" required value={form.clusterId} onChange={(e) => setForm({ ...form, clusterId: e.currentTarget.value })}>
              <option value="">choose…</option>
              {serving.map((c) => <option value={c.id}>{c.id} ({c.state})</option>)}
            </select>
            <p class="field-error">{(errors.clusterId ?? []).join(' ')}</p>
          </div>
          <div class={errors.expires ? 'field invalid' : 'field'}>
            <label for="pin-expires">Expires</label>
            <input id="pin-expires" type="datetime-local" required value={form.expires} onInput={(e) => setForm({ ...form, expires: e.currentTarget.value })} />
            <p class="field-error">{(errors.expires ?? []).join(' ')}</p>
          </div>
          <div class="actions"><button type="submit" disabled={!form.deviceId.trim() || !form.clusterId}>Pin device</button></div>
        </form>
      )}
      <table class="table" aria-label="Pinned devices">
        <thead><tr><th>Device</th><th>Cluster</th><th>Expires</th>{can.pin && <th><span class="sr-only">Actions</span></th>}</tr></thead>
        <tbody>
          {registry.pins.map((p) => (
            <tr data-testid={`pin-${p.deviceId}`}>
              <td>{p.deviceId}</td><td>{p.clusterId}</td><td>{time(p.expires)}</td>
              {can.pin && (
                <td><button type="button" class="secondary" onClick={() => propose({
                  method: 'DELETE', path: `/v1/pins/${encodeURIComponent(p.deviceId)}`, title: `Unpin ${p.deviceId}`, confirm: 'Unpin', danger: true,
                })}>Unpin</button></td>
              )}
            </tr>
          ))}
          {registry.pins.length === 0 && <tr><td colSpan="4" class="muted">No device is pinned.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}
