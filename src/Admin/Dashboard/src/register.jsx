import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';
import { shortVersion } from './format.js';

const empty = { id: '', color: '', serverVersion: '', clientBuilds: '', platforms: '', destinations: '', state: 'canary', weight: '', configVersion: '', autoScalingGroup: '', verifyServers: true };

/** "w1=http://10.0.1.5:7000/" per line (or "w1 http://..."), as the API's map of destinations. */
function parseDestinations(text) {
  const out = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)\s*[=\s]\s*(\S+)$/.exec(line);
    if (match) out[match[1]] = match[2];
    else out[line] = '';
  }
  return out;
}

function toRequest(form) {
  const request = {
    id: form.id.trim(),
    color: form.color.trim(),
    serverVersion: form.serverVersion.trim(),
    clientBuilds: form.clientBuilds.trim(),
    platforms: form.platforms.split(',').map((p) => p.trim()).filter(Boolean),
    destinations: parseDestinations(form.destinations),
    state: form.state,
    verifyServers: form.verifyServers,
  };
  if (form.weight !== '') request.weight = Number(form.weight);
  if (form.configVersion) request.configVersion = form.configVersion;
  if (form.autoScalingGroup.trim()) request.autoScalingGroup = form.autoScalingGroup.trim();
  return request;
}

/** Registers a cluster; the API's field errors appear next to their fields. */
export function RegisterForm({ propose, onRegistered }) {
  const [form, setForm] = useState(empty);
  const [errors, setErrors] = useState({});
  const [configs, setConfigs] = useState([]);

  useEffect(() => { get('/v1/configs').then((r) => setConfigs(r.body), () => setConfigs([])); }, []);

  const field = (name, label, props = {}, hint = null) => (
    <div class={errors[name] ? 'field invalid' : 'field'}>
      <label for={`reg-${name}`}>{label}</label>
      {props.as === 'textarea'
        ? <textarea id={`reg-${name}`} name={name} rows="3" value={form[name]} aria-invalid={!!errors[name]} aria-describedby={`reg-${name}-error`}
            placeholder={props.placeholder} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
        : <input id={`reg-${name}`} name={name} value={form[name]} aria-invalid={!!errors[name]} aria-describedby={`reg-${name}-error`}
            {...props} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />}
      {hint && <small class="muted">{hint}</small>}
      <p class="field-error" id={`reg-${name}-error`} data-testid={`error-${name}`}>{(errors[name] ?? []).join(' ')}</p>
    </div>
  );

  const submit = (event) => {
    event.preventDefault();
    setErrors({});
    const request = toRequest(form);
    propose({
      method: 'POST', path: '/v1/clusters', body: request, title: `Register ${request.id || 'a cluster'}`, confirm: 'Register',
      onFieldErrors: setErrors,
      onApplied: () => { setForm(empty); onRegistered(); },
    });
  };

  const otherErrors = Object.entries(errors).filter(([name]) => !(name in empty));
  return (
    <form class="card register" onSubmit={submit} aria-labelledby="register-title" data-testid="register-form" novalidate>
      <h2 id="register-title">Register a cluster</h2>
      <div class="grid">
        {field('id', 'Cluster id', { placeholder: 'red-1.1', autocomplete: 'off' })}
        {field('color', 'Color', { placeholder: 'red' })}
        {field('serverVersion', 'Server version', { placeholder: '1.1.0' })}
        {field('clientBuilds', 'Client builds', { placeholder: '[1.1.0,1.2.0)' }, 'A range: [1.1.0,1.2.0) is 1.1.0 up to 1.2.0')}
        {field('platforms', 'Platforms', { placeholder: 'ios, android' }, 'Comma-separated; empty is every platform')}
        <div class={errors.state ? 'field invalid' : 'field'}>
          <label for="reg-state">Start as</label>
          <select id="reg-state" value={form.state} onChange={(e) => setForm({ ...form, state: e.currentTarget.value })}>
            <option value="canary">canary (weight 0 unless set)</option>
            <option value="active">active (weight 100 unless set)</option>
          </select>
          <p class="field-error" data-testid="error-state">{(errors.state ?? []).join(' ')}</p>
        </div>
        {field('weight', 'Weight', { type: 'number', min: 0, max: 100, placeholder: 'default' })}
        <div class={errors.configVersion ? 'field invalid' : 'field'}>
          <label for="reg-configVersion">Config</label>
          <select id="reg-configVersion" value={form.configVersion} onChange={(e) => setForm({ ...form, configVersion: e.currentTarget.value })}>
            <option value="">none</option>
            {configs.map((c) => <option value={c.version}>{shortVersion(c.version)} · {c.size} B · {new Date(c.publishedAt).toLocaleString()}</option>)}
          </select>
          <p class="field-error" data-testid="error-configVersion">{(errors.configVersion ?? []).join(' ')}</p>
        </div>
        {field('autoScalingGroup', 'Auto Scaling group', { placeholder: 'optional' })}
        <div class="field">
          <label for="reg-verifyServers">
            <input id="reg-verifyServers" type="checkbox" checked={form.verifyServers}
              onChange={(e) => setForm({ ...form, verifyServers: e.currentTarget.checked })} /> Servers prove their version
          </label>
          <small class="muted">Requests go only to servers whose heartbeat names this server version and an accepted config</small>
        </div>
      </div>
      {field('destinations', 'Destinations', { as: 'textarea', placeholder: 'r1=http://10.0.2.5:7000/' }, 'One per line: name=URL')}
      {otherErrors.length > 0 && (
        <p class="field-error" role="alert">{otherErrors.map(([name, messages]) => `${name}: ${messages.join(' ')}`).join(' · ')}</p>
      )}
      <div class="actions"><button type="submit" data-testid="register-submit">Review and register</button></div>
    </form>
  );
}
