// Small display helpers shared by the pages.

export const states = ['canary', 'active', 'draining', 'retired'];

/** "12 s ago", "3 min ago", or the local time for anything older than a day. */
export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 0) return `in ${until(iso, now)}`;
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

export function until(iso, now = Date.now()) {
  const seconds = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export const time = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

export const count = (n) => (n === null || n === undefined ? '—' : n.toLocaleString());

export const shortVersion = (version) => (version ? `${version.slice(0, 15)}…` : '—');

// Colors are release names (white, red, blue...), not CSS: each gets a readable stroke, the same everywhere.
const named = { white: '#64748b', red: '#dc2626', blue: '#2563eb', green: '#16a34a', black: '#111827', orange: '#ea580c', purple: '#9333ea', yellow: '#ca8a04', pink: '#db2777', teal: '#0d9488' };
const palette = ['#0891b2', '#7c3aed', '#65a30d', '#c2410c', '#be185d', '#4f46e5'];

export function colorOf(name) {
  if (named[name]) return named[name];
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return palette[hash % palette.length];
}

/** A datetime-local input's value (local time) as an ISO instant; '' stays null. */
export const fromLocalInput = (value) => (value ? new Date(value).toISOString() : null);

/** An instant `hours` from now as a datetime-local input's value. */
export function localInputIn(hours) {
  const at = new Date(Date.now() + hours * 3600_000);
  at.setSeconds(0, 0);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
