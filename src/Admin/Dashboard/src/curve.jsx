import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { get } from './api.js';
import { colorOf } from './format.js';

const ranges = { hour: ['Last hour', 3600], day: ['Last day', 86400] };
const marked = new Set(['register', 'promote', 'drain', 'retire', 'rollback']);
const refreshMs = 5000;

/**
 * Players and connections per color over time, as the gateways reported them to the player history, with the
 * push's events (register, promote, drain, retire, rollback) marked where they happened.
 */
export function DrainCurve({ clusters, revision }) {
  const [range, setRange] = useState('hour');
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const since = new Date(Date.now() - ranges[range][1] * 1000).toISOString();
        const [history, audit] = await Promise.all([
          readAll(since),
          get('/v1/audit?limit=1000'),
        ]);
        if (!stopped) {
          setData(shape(history, audit.body.entries, clusters, Date.parse(since) / 1000));
          setError(null);
        }
      } catch (failure) {
        if (!stopped) setError(failure.message);
      }
    };
    load();
    const timer = setInterval(load, refreshMs);
    return () => { stopped = true; clearInterval(timer); };
  }, [range, revision, clusters.length]);

  return (
    <section aria-labelledby="curve-title">
      <div class="section-head">
        <h1 id="curve-title">Drain curve</h1>
        <p class="muted">Players (solid) and open connections (dashed) per color, from the gateways' reports.</p>
        <div class="segmented" role="group" aria-label="Time range">
          {Object.entries(ranges).map(([id, [label]]) => (
            <button type="button" class={id === range ? 'on' : ''} aria-pressed={id === range} onClick={() => setRange(id)}>{label}</button>
          ))}
        </div>
      </div>
      {error && <p class="field-error" role="alert">{error}</p>}
      {data && <Chart data={data} />}
      {data && <DataTable data={data} />}
    </section>
  );
}

/** The whole range: the API answers at most 50,000 points at a time and says when it cut the answer. */
async function readAll(since) {
  const points = [];
  for (let from = since, pages = 0; pages < 20; pages++) {
    const { body } = await get(`/v1/players/history?since=${encodeURIComponent(from)}`);
    points.push(...body.points);
    if (!body.truncated || body.points.length === 0) break;
    from = body.points[body.points.length - 1].at;
  }
  return points;
}

/** Sums each color's clusters per report time; the x axis is unix seconds. */
function shape(points, audit, clusters, since) {
  const colorOfCluster = new Map(clusters.map((c) => [c.id, c.color]));
  const colors = [...new Set(points.map((p) => colorOfCluster.get(p.cluster) ?? p.cluster))].sort();
  const times = [...new Set(points.map((p) => Math.round(Date.parse(p.at) / 1000)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const players = colors.map(() => times.map(() => null));
  const connections = colors.map(() => times.map(() => null));
  for (const p of points) {
    const c = colors.indexOf(colorOfCluster.get(p.cluster) ?? p.cluster);
    const i = index.get(Math.round(Date.parse(p.at) / 1000));
    players[c][i] = (players[c][i] ?? 0) + p.players;
    connections[c][i] = (connections[c][i] ?? 0) + p.connections;
  }
  const events = audit
    .filter((e) => marked.has(e.action) && Date.parse(e.at) / 1000 >= since)
    .map((e) => ({ at: Date.parse(e.at) / 1000, label: `${e.action} ${e.target}` }));
  return { colors, times, players, connections, events };
}

/** Vertical lines and labels for the push's events, drawn through uPlot's plugin hooks. */
function eventMarkers(events) {
  return {
    hooks: {
      draw: [(u) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
        ctx.fillStyle = '#334155';
        ctx.strokeStyle = 'rgba(51, 65, 85, 0.55)';
        ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
        events.forEach((event, n) => {
          const x = Math.round(u.valToPos(event.at, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.fillText(event.label, x + 4 * devicePixelRatio, top + (12 + (n % 4) * 13) * devicePixelRatio);
        });
        ctx.restore();
      }],
    },
  };
}

function Chart({ data }) {
  const box = useRef(null);
  const plot = useRef(null);

  useEffect(() => {
    const series = [{}];
    for (const color of data.colors) {
      series.push({ label: `${color} players`, stroke: colorOf(color), width: 2, spanGaps: true });
    }
    for (const color of data.colors) {
      series.push({ label: `${color} connections`, stroke: colorOf(color), width: 1, dash: [6, 4], spanGaps: true });
    }
    const options = {
      width: Math.max(320, box.current.clientWidth),
      height: 360,
      series,
      axes: [{}, { label: 'players / connections', size: 60 }],
      scales: { y: { range: (_, min, max) => [0, Math.max(5, max * 1.1)] } },
      plugins: [eventMarkers(data.events)],
    };
    plot.current?.destroy();
    plot.current = new uPlot(options, [data.times, ...data.players, ...data.connections], box.current);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(320, box.current.clientWidth), height: 360 }));
    resize.observe(box.current);
    return () => { resize.disconnect(); plot.current?.destroy(); plot.current = null; };
  }, [data]);

  return <div class="card chart" ref={box} role="img" aria-label="Players and connections per color over time" data-testid="curve-chart" />;
}

/** The chart's numbers, for screen readers and anyone who wants them exact. */
function DataTable({ data }) {
  const rows = data.times.map((t, i) => ({ t, i })).slice(-120).reverse();
  return (
    <details class="card">
      <summary>The numbers ({data.times.length} reports, {data.events.length} events)</summary>
      <table class="table" data-testid="curve-table">
        <thead>
          <tr><th>Time</th>{data.colors.map((c) => <th data-color={c}>{c} players</th>)}{data.colors.map((c) => <th>{c} connections</th>)}</tr>
        </thead>
        <tbody>
          {rows.map(({ t, i }) => (
            <tr data-at={t}>
              <td>{new Date(t * 1000).toLocaleTimeString()}</td>
              {data.players.map((s) => <td>{s[i] ?? '—'}</td>)}
              {data.connections.map((s) => <td>{s[i] ?? '—'}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <ul class="events" aria-label="Events">
        {data.events.map((e) => <li>{new Date(e.at * 1000).toLocaleTimeString()}: {e.label}</li>)}
      </ul>
    </details>
  );
}
