import { useEffect, useState } from 'preact/hooks';
import { ago, colorOf, count, fromLocalInput, localInputIn, shortVersion, until } from './format.js';
import { AdmissionFacts } from './admission.jsx';
import { RegisterForm } from './register.jsx';
import { RolloutPanel } from './rollout.jsx';

/** Clusters grouped by color, newest color first, with their state, versions, players and drain controller. */
export function Overview({ registry, clusters, can, propose }) {
  const [registering, setRegistering] = useState(false);
  const byColor = new Map();
  for (const cluster of clusters) {
    if (!byColor.has(cluster.color)) byColor.set(cluster.color, []);
    byColor.get(cluster.color).push(cluster);
  }

  const serving = clusters.filter((c) => c.state !== 'retired');
  const players = serving.reduce((sum, c) => sum + (c.status.players ?? 0), 0);

  return (
    <section aria-labelledby="overview-title">
      <div class="section-head">
        <h1 id="overview-title">Clusters</h1>
        <p class="muted">{serving.length} serving · {count(players)} players · {registry.pins.length} pinned devices</p>
        {can.release && (
          <button type="button" onClick={() => setRegistering(!registering)} aria-expanded={registering} data-testid="open-register">
            {registering ? 'Close the form' : 'Register a cluster'}
          </button>
        )}
      </div>
      {registering && <RegisterForm propose={propose} onRegistered={() => setRegistering(false)} />}
      <div class="groups">
      {[...byColor.entries()].map(([color, members]) => (
        <section class="color-group" aria-label={`Color ${color}`} data-color={color}>
          <h2><span class="swatch" style={{ background: colorOf(color) }} aria-hidden="true" />{color}</h2>
          <div class="cards">
            {members.map((cluster) => <ClusterCard cluster={cluster} can={can} propose={propose} />)}
          </div>
        </section>
      ))}
      </div>
    </section>
  );
}

function ClusterCard({ cluster, can, propose }) {
  const { status, config } = cluster;
  return (
    <article class={`card cluster state-${cluster.state}`} data-testid={`cluster-${cluster.id}`} aria-labelledby={`c-${cluster.id}`}>
      <header>
        <h3 id={`c-${cluster.id}`}>{cluster.id}</h3>
        <span class={`badge ${cluster.state}`} data-testid="state">{cluster.state}</span>
      </header>
      <dl class="facts">
        <dt>Server</dt><dd>{cluster.serverVersion}</dd>
        <dt>Client builds</dt><dd><code>{cluster.clientBuilds}</code></dd>
        <dt>Platforms</dt><dd>{cluster.platforms?.length ? cluster.platforms.join(', ') : 'all'}</dd>
        <dt>Weight</dt><dd data-testid="weight">{['canary', 'active'].includes(cluster.state) ? cluster.weight : '—'}</dd>
        <dt>Players</dt><dd data-testid="players">{count(status.players)}</dd>
        <dt>Connections</dt><dd>{count(status.connections)}</dd>
        <dt>Reported</dt><dd>{status.reportedAt ? ago(status.reportedAt) : 'no gateway report'}</dd>
        {cluster.state === 'draining' && <><dt>Drain deadline</dt><dd>{cluster.drainDeadline ? `in ${until(cluster.drainDeadline)}` : 'none'}</dd></>}
        {status.convergence && (
          <><dt>Logins stopped</dt>
            <dd data-testid="convergence">
              {status.convergence.reached
                ? `revision ${status.convergence.revision}, on every live instance`
                : `revision ${status.convergence.revision}, not yet on ${status.convergence.pending.join(', ')}`}
            </dd></>
        )}
        {cluster.autoScalingGroup && <><dt>Auto Scaling</dt><dd>{cluster.autoScalingGroup}{status.desiredCapacity != null ? ` · desired ${status.desiredCapacity}` : ''}</dd></>}
      </dl>
      <AdmissionFacts cluster={cluster} />
      {config && <ConfigFacts config={config} />}
      <Destinations cluster={cluster} />
      {cluster.rollout && <RolloutPanel cluster={cluster} can={can} propose={propose} />}
      {cluster.state === 'active' && cluster.weight === 0 && (
        <p class="controller error" data-testid="weight-warning">Active at weight 0: it takes no new players. Set a weight to send logins here.</p>
      )}
      {status.drainWaiting && (
        <p class="controller" data-testid="drain-waiting">Drain controller waits for {status.drainWaiting}</p>
      )}
      {(status.lastAction || status.error) && (
        <p class={status.error ? 'controller error' : 'controller'} data-testid="controller">
          {status.error ? `⚠ ${status.error}` : `${status.lastAction} (${ago(status.lastActionAt)})`}
        </p>
      )}
      {can.release && <ClusterActions cluster={cluster} propose={propose} />}
    </article>
  );
}

function ConfigFacts({ config }) {
  const accepted = config.accepted?.length ? config.accepted.map(shortVersion).join(', ') : 'none';
  return (
    <dl class="facts config">
      <dt>Config target</dt><dd title={config.target}><code>{shortVersion(config.target)}</code>{config.pending ? ' · pending' : ''}</dd>
      <dt>Announced</dt><dd title={config.announced ?? ''}><code>{shortVersion(config.announced)}</code>{config.reason ? ` (${config.reason})` : ''}</dd>
      <dt>Accepted</dt><dd>{accepted}</dd>
    </dl>
  );
}

function Destinations({ cluster }) {
  const reported = cluster.config?.destinations ?? {};
  const probed = cluster.status.destinations ?? {};
  return (
    <ul class="destinations" aria-label={`Destinations of ${cluster.id}`}>
      {Object.entries(cluster.destinations).map(([name, url]) => {
        const heartbeat = reported[name]?.heartbeatAt ? reported[name] : null;
        const seen = probed[name];
        const gateways = seen ? seen.healthy + seen.unhealthy + seen.unknown : 0;
        // Health as the Gateways' checks see it: out of rotation at any Gateway is worth a look.
        const health = !seen ? 'unreported' : seen.unhealthy > 0 ? 'unhealthy' : seen.healthy > 0 ? 'healthy' : 'unknown';
        const words = !seen ? 'no gateway report'
          : seen.unhealthy > 0 ? `unhealthy at ${seen.unhealthy} of ${gateways} gateways`
          : seen.healthy > 0 ? `healthy at ${seen.healthy} of ${gateways} gateways` : 'not judged yet';
        return (
          <li data-testid={`destination-${name}`}>
            <span class={`dot ${health}`} aria-hidden="true" />
            <strong>{name}</strong> <span class="muted">{url}</span>
            <span class={`health ${health}`}> · {words}</span>
            <span class="muted">
              {heartbeat ? ` · config heartbeat ${ago(heartbeat.heartbeatAt)}${heartbeat.live ? '' : ' (silent)'}, holds ${shortVersion(heartbeat.configVersion)}` : ' · no config heartbeat'}
              {heartbeat?.serverVersion ? `, runs ${heartbeat.serverVersion}${heartbeat.buildId ? ` (${heartbeat.buildId})` : ''}` : ''}
            </span>
            {cluster.status.unverified?.[name] && (
              <span class="health unhealthy" data-testid={`unverified-${name}`}> · ⚠ no players: {cluster.status.unverified[name]}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function ClusterActions({ cluster, propose }) {
  const [weight, setWeight] = useState(String(cluster.weight));
  useEffect(() => setWeight(String(cluster.weight)), [cluster.weight]); // follows changes made elsewhere
  const [deadline, setDeadline] = useState('');
  const path = `/v1/clusters/${encodeURIComponent(cluster.id)}`;
  const takesPlayers = cluster.state === 'canary' || cluster.state === 'active';

  return (
    <div class="cluster-actions">
      {cluster.state === 'canary' && (
        <button type="button" onClick={() => propose({ method: 'POST', path: `${path}/promote`, title: `Promote ${cluster.id} to active`, confirm: 'Promote' })}>
          Promote
        </button>
      )}
      {takesPlayers && (
        <form class="inline" onSubmit={(e) => {
          e.preventDefault();
          propose({ method: 'POST', path: `${path}/weight`, body: { weight: Number(weight) }, title: `Set ${cluster.id}'s weight to ${weight}`, confirm: 'Set weight' });
        }}>
          <label for={`w-${cluster.id}`}>Weight</label>
          <input id={`w-${cluster.id}`} type="number" min="0" max="100" required value={weight} onInput={(e) => setWeight(e.currentTarget.value)} />
          <button type="submit" class="secondary">Set</button>
        </form>
      )}
      {takesPlayers && (
        <form class="inline" onSubmit={(e) => {
          e.preventDefault();
          const at = fromLocalInput(deadline);
          propose({
            method: 'POST', path: `${path}/drain`, body: at ? { deadline: at } : {}, danger: true, confirm: 'Drain',
            title: `Drain ${cluster.id}`,
            warning: 'Its players are told to update at their next natural break; after the deadline they must update.',
          });
        }}>
          <label for={`d-${cluster.id}`}>Deadline</label>
          <input id={`d-${cluster.id}`} type="datetime-local" value={deadline} min={localInputIn(0)} onInput={(e) => setDeadline(e.currentTarget.value)} />
          <button type="submit" class="secondary danger-text">Drain</button>
        </form>
      )}
      {(cluster.state === 'draining' || cluster.state === 'canary') && (
        <button type="button" class="danger" onClick={() => propose({
          method: 'POST', path: `${path}/retire`, danger: true, confirm: 'Retire', title: `Retire ${cluster.id}`,
          warning: `Its routes go: every ticket for ${cluster.id} is refused with 410 and its players log in again.`,
        })}>
          Retire
        </button>
      )}
    </div>
  );
}
