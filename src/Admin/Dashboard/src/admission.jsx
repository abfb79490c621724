import { count } from './format.js';

// Each cluster's admitted total as the last polls read it: the admission rate is their difference over time.
const samples = new Map();
const windowMs = 15_000;

/** Admissions per second into `cluster` over the last polls (null until two polls are known). */
function rateOf(cluster, admission) {
  const now = Date.now();
  const seen = (samples.get(cluster) ?? []).filter((s) => now - s.at <= windowMs);
  seen.push({ at: now, total: admission.admittedTotal });
  samples.set(cluster, seen);
  const first = seen[0];
  const seconds = (now - first.at) / 1000;
  return seconds >= 1 ? Math.max(0, admission.admittedTotal - first.total) / seconds : null;
}

/** A cluster's seats and queue: capacity use, players waiting, admissions per second and the wait at the back. */
export function AdmissionFacts({ cluster }) {
  const admission = cluster.status.admission;
  if (!admission || (admission.capacity == null && admission.waiting === 0 && admission.admittedTotal === 0)) return null;
  const rate = rateOf(cluster.id, admission);
  const use = admission.capacity ? Math.round((admission.players / admission.capacity) * 100) : null;
  const wait = admission.waiting === 0 ? 'none' : rate ? `~${Math.ceil(admission.waiting / rate)} s at the back` : 'unknown: the queue stands still';
  return (
    <dl class="facts admission" data-testid="admission">
      <dt>Capacity</dt>
      <dd data-testid="capacity">
        {admission.capacity == null ? 'no limit' : `${count(admission.capacity)} (${admission.servingDestinations} serving × ${count(cluster.capacity.playersPerDestination)}${cluster.capacity.maxPlayers ? `, max ${count(cluster.capacity.maxPlayers)}` : ''})`}
      </dd>
      {use !== null && (
        <><dt>In use</dt><dd><meter min="0" max="100" value={Math.min(use, 100)} aria-label="Capacity in use" /> {use}%</dd></>
      )}
      <dt>Waiting</dt><dd data-testid="waiting">{count(admission.waiting)}</dd>
      <dt>Admitted</dt><dd>{rate === null ? '…' : `${rate.toFixed(1)}/s`} · {count(admission.admittedTotal)} so far{admission.droppedTotal ? ` · ${count(admission.droppedTotal)} gave up` : ''}</dd>
      <dt>Wait</dt><dd data-testid="wait">{wait}</dd>
    </dl>
  );
}
