import { useCallback, useState } from 'preact/hooks';
import { ApiError, call, get } from './api.js';
import { usePolling } from './poll.js';
import { fromLocalInput, localInputIn, time } from './format.js';

/** Capacity changes at a time ahead: pre-scale an Auto Scaling group before an event, or cap a cluster's players. */
export function Schedules({ clusters, can, setNotice }) {
  const [schedules, setSchedules] = useState(null);
  const [form, setForm] = useState({ cluster: '', at: localInputIn(1), desiredCapacity: '', maxPlayers: '' });
  const [errors, setErrors] = useState({});
  const serving = clusters.filter((c) => c.state !== 'retired');

  const load = useCallback(async () => {
    try {
      setSchedules((await get('/v1/schedules')).body.schedules);
    } catch (error) {
      setNotice({ kind: 'error', text: `Schedules could not be read: ${error.message}` });
    }
  }, [setNotice]);

  usePolling(load, 2000);

  const create = async (event) => {
    event.preventDefault();
    setErrors({});
    const body = {
      cluster: form.cluster,
      at: fromLocalInput(form.at),
      desiredCapacity: form.desiredCapacity === '' ? null : Number(form.desiredCapacity),
      maxPlayers: form.maxPlayers === '' ? null : Number(form.maxPlayers),
    };
    try {
      const created = (await call('POST', '/v1/schedules', { body, idempotent: true })).body;
      setNotice({ kind: 'ok', text: `Scheduled ${created.id} for ${time(created.at)}.` });
      setForm({ ...form, desiredCapacity: '', maxPlayers: '' });
      load();
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) setErrors(error.fields);
      else setNotice({ kind: 'error', text: error.message });
    }
  };

  const cancel = async (id) => {
    try {
      await call('DELETE', `/v1/schedules/${encodeURIComponent(id)}`, { idempotent: true });
      setNotice({ kind: 'ok', text: `Cancelled ${id}.` });
    } catch (error) {
      setNotice({ kind: 'error', text: error.message });
    }
    load();
  };

  const field = (name, label, input) => (
    <div class={errors[name] ? 'field invalid' : 'field'}>
      <label for={`schedule-${name}`}>{label}</label>
      {input}
      <p class="field-error">{(errors[name] ?? []).join(' ')}</p>
    </div>
  );

  return (
    <section aria-labelledby="schedules-title">
      <div class="section-head">
        <h1 id="schedules-title">Schedules</h1>
        <p class="muted">Applied once at their time by one Admin; a failure stays pending with its error and is tried again.</p>
      </div>
      {can.release && (
        <form class="card inline-form" onSubmit={create} aria-label="Schedule a capacity change" data-testid="schedule-form">
          {field('cluster', 'Cluster', (
            <select id="schedule-cluster" required value={form.cluster} onChange={(e) => setForm({ ...form, cluster: e.currentTarget.value })}>
              <option value="">choose…</option>
              {serving.map((c) => <option value={c.id}>{c.id}</option>)}
            </select>
          ))}
          {field('at', 'At', <input id="schedule-at" type="datetime-local" required value={form.at} onInput={(e) => setForm({ ...form, at: e.currentTarget.value })} />)}
          {field('desiredCapacity', 'Desired capacity', (
            <input id="schedule-desiredCapacity" type="number" min="0" value={form.desiredCapacity} placeholder="servers"
              onInput={(e) => setForm({ ...form, desiredCapacity: e.currentTarget.value })} />
          ))}
          {field('maxPlayers', 'Max players', (
            <input id="schedule-maxPlayers" type="number" min="1" value={form.maxPlayers} placeholder="players"
              onInput={(e) => setForm({ ...form, maxPlayers: e.currentTarget.value })} />
          ))}
          <div class="actions"><button type="submit" disabled={!form.cluster}>Schedule</button></div>
        </form>
      )}
      <table class="table" aria-label="Schedules">
        <thead><tr><th>At</th><th>Cluster</th><th>Change</th><th>Status</th><th>By</th>{can.release && <th><span class="sr-only">Actions</span></th>}</tr></thead>
        <tbody>
          {(schedules ?? []).map((s) => (
            <tr data-testid={`schedule-${s.id}`}>
              <td>{time(s.at)}</td>
              <td>{s.cluster}</td>
              <td>{[s.desiredCapacity != null && `desired capacity ${s.desiredCapacity}`, s.maxPlayers != null && `max players ${s.maxPlayers}`].filter(Boolean).join(', ')}</td>
              <td data-testid="schedule-status">
                <span class={`badge ${s.status}`}>{s.status}</span>
                {s.error && <span class="field-error"> ⚠ {s.error} (attempt {s.attempts})</span>}
                {s.appliedAt && <span class="muted"> {time(s.appliedAt)}</span>}
              </td>
              <td>{s.createdBy}</td>
              {can.release && <td>{s.status === 'pending' && <button type="button" class="secondary danger-text" onClick={() => cancel(s.id)}>Cancel</button>}</td>}
            </tr>
          ))}
          {schedules?.length === 0 && <tr><td colSpan="6" class="muted">Nothing is scheduled.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}
