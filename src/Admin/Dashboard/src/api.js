// The Admin API as the dashboard uses it. The key lives in this tab's sessionStorage only: never in a URL,
// never in localStorage, gone when the tab closes.

const keyName = 'rw-admin-key';

export const session = {
  key: () => sessionStorage.getItem(keyName),
  save: (key) => sessionStorage.setItem(keyName, key),
  clear: () => sessionStorage.removeItem(keyName),
};

/** A refusal from the API: its status and problem+json body (`code`, `title`, `detail`, `errors`). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The API answered ${status}.`);
    this.status = status;
    this.problem = problem ?? {};
  }

  get code() { return this.problem.code; }

  /** Field errors keyed by the request field they name (`clientBuilds`, `destinations`, ...). */
  get fields() {
    const out = {};
    for (const [path, messages] of Object.entries(this.problem.errors ?? {})) {
      // `ClientBuilds`, `destinations.w1` and the registry's `clusters[3].clientBuilds` all name a form field.
      const leaf = path.replace(/^clusters\[\d+\]\./, '').split(/[.[]/)[0];
      const field = leaf.charAt(0).toLowerCase() + leaf.slice(1);
      out[field] = [...(out[field] ?? []), ...messages];
    }
    return out;
  }
}

/**
 * One call. `ifMatch` is the registry revision the page shows (a change made elsewhere meanwhile is a 412,
 * not a silent overwrite); `etag` makes a read conditional (a 304 answers `{ notModified: true }`).
 */
export async function call(method, path, { body, raw, ifMatch, etag, idempotent } = {}) {
  const headers = { 'X-Api-Key': session.key() ?? '', Accept: 'application/json' };
  if (body !== undefined || raw !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch !== undefined) headers['If-Match'] = `"${ifMatch}"`;
  if (etag) headers['If-None-Match'] = etag;
  if (idempotent) headers['Idempotency-Key'] = crypto.randomUUID();
  const response = await fetch(path, {
    method,
    headers,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)), // raw: text sent as written (a config's bytes)
    cache: 'no-store',
    credentials: 'omit',
  });
  if (response.status === 304) return { notModified: true, etag };
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) throw new ApiError(response.status, json ?? { detail: text.slice(0, 200) });
  return { body: json, etag: response.headers.get('ETag'), status: response.status };
}

export const get = (path, options) => call('GET', path, options);

/** Plans a registry change without making it: `{ action, target, detail, before, after }`. */
export async function preview(method, path, body, revision) {
  const separator = path.includes('?') ? '&' : '?';
  return (await call(method, `${path}${separator}dryRun=true`, { body, ifMatch: revision })).body;
}

/**
 * Makes the change previewed, still only if the registry is at `revision`; with `emergency`, its reason (lifts a
 * freeze). Answers `{ proposal }` when the change needs a second release manager (202), else `{ applied }`.
 */
export async function apply(method, path, body, revision, emergency) {
  const separator = path.includes('?') ? '&' : '?';
  const target = emergency ? `${path}${separator}emergency=true&reason=${encodeURIComponent(emergency)}` : path;
  const answer = await call(method, target, { body, ifMatch: revision, idempotent: true });
  return answer.status === 202 ? { proposal: answer.body } : { applied: answer.body };
}
