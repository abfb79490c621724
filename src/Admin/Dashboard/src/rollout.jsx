import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';
import { ago, until } from './format.js';

const percent = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(2)} %`);
const ms = (x) => (x === null || x === undefined ? '—' : `${x.toFixed(1)} ms`);
const shown = (limit, value) => (limit.startsWith('maxErrorRate') ? percent(value) : limit === 'maxP99Ms' ? ms(value) : `${value.toFixed(2)}×`);

/** A canary's progressive rollout: the step, the next check, and each check's figures against its limits. */
export function RolloutPanel({ cluster, can, propose }) {
  const plan = cluster.rollout;
  const status = plan.status;
  const [view, setView] = useState(null);
  const path = `/v1/clusters/${encodeURIComponent(cluster.id)}/rollout`;

  useEffect(() => {
    let stopped = false;
    const load = () => get(path).then((r) => !stopped && setView(r.body), () => {});
    load();
    // Checks arrive only while a rollout runs or waits paused; a finished one is read once.
    const timer = status?.phase === 'running' || status?.phase === 'paused' ? setInterval(load, 2000) : null;
    return () => { stopped = true; if (timer) clearInterval(timer); };
  }, [path, status?.phase, status?.step]);

  const latest = view?.checks?.[0];
  const action = (verb, title, extra = {}) => propose({ method: 'POST', path: `${path}/${verb}`, title, confirm: title, ...extra });
  return (
    <section class="rollout" aria-label={`Rollout of ${cluster.id}`} data-testid="rollout">
      <h4>
        Rollout {status ? <span class={`badge rollout-${status.phase}`}>{status.phase}</span> : <span class="muted">planned</span>}
      </h4>
      <ol class="steps" aria-label="Steps">
        {plan.steps.map((weight, i) => (
          <li class={status && i < status.step ? 'done' : status && i === status.step ? 'current' : ''}>{weight}%</li>
        ))}
      </ol>
      {status && <p class="muted">Step {status.step + 1} of {plan.steps.length} since {ago(status.stepStartedAt)}; bakes {plan.bakeTime}{view?.nextCheckAt ? `; next check in ${until(view.nextCheckAt)}` : ''}</p>}
      {status?.reason && <p class={status.phase === 'aborted' ? 'controller error' : 'controller'} data-testid="rollout-reason">{status.reason}</p>}
      {latest && (
        <div class="check">
          <p><strong>Last check</strong> ({ago(latest.at)}): <span class={`verdict ${latest.verdict}`}>{latest.verdict}</span>
            {' '}· canary {latest.canary.requests} req{latest.canary.players != null ? ` of ${latest.canary.players} players` : ''}, {percent(latest.canary.errorRate)}, p99 {ms(latest.canary.p99Ms)}
            {' '}· active {latest.baseline.requests} req, {percent(latest.baseline.errorRate)}, p99 {ms(latest.baseline.p99Ms)}</p>
          {latest.limits.length > 0 && (
            <table class="table compact" aria-label="Last check against its limits">
              <thead><tr><th>Limit</th><th>Measured</th><th>Allowed</th><th>Confidence</th></tr></thead>
              <tbody>
                {latest.limits.map((l) => (
                  <tr class={l.failed ? 'failed' : ''}>
                    <td>{l.limit}</td><td>{shown(l.limit, l.measured)}</td><td>{shown(l.limit, l.allowed)}</td>
                    <td>{l.confidence === null || l.confidence === undefined ? '—' : `${(l.confidence * 100).toFixed(1)} %`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {latest.note && <p class="muted">{latest.note}</p>}
        </div>
      )}
      {can.release && cluster.state === 'canary' && (
        <div class="cluster-actions">
          {(!status || status.phase === 'aborted') && <button type="button" onClick={() => action('start', `Start the rollout of ${cluster.id}`)}>Start rollout</button>}
          {status?.phase === 'running' && <button type="button" class="secondary" onClick={() => action('pause', `Pause the rollout of ${cluster.id}`)}>Pause</button>}
          {status?.phase === 'paused' && <button type="button" onClick={() => action('resume', `Resume the rollout of ${cluster.id}`)}>Resume</button>}
          {(status?.phase === 'running' || status?.phase === 'paused') && (
            <button type="button" class="danger" onClick={() => action('abort', `Abort the rollout of ${cluster.id}`, { danger: true, warning: 'Its weight goes to 0: no new players land on it.' })}>Abort</button>
          )}
        </div>
      )}
    </section>
  );
}
