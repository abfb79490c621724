import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, session } from './api.js';
import { SignIn } from './signin.jsx';
import { Overview } from './overview.jsx';
import { DrainCurve } from './curve.jsx';
import { Configs } from './configs.jsx';
import { Pins } from './pins.jsx';
import { History } from './history.jsx';
import { Audit } from './audit.jsx';
import { Schedules } from './schedules.jsx';
import { Proposals } from './proposals.jsx';
import { ChangeDialog } from './change.jsx';
import './styles.css';

const tabs = [
  ['overview', 'Overview', Overview],
  ['curve', 'Drain curve', DrainCurve],
  ['configs', 'Configs', Configs],
  ['pins', 'QA pins', Pins],
  ['history', 'History', History],
  ['schedules', 'Schedules', Schedules],
  ['proposals', 'Proposals', Proposals],
  ['audit', 'Audit', Audit],
];

// Changes made elsewhere (another release manager, the drain controller) show within this.
const pollMs = 1000;

function currentTab() {
  const name = location.hash.replace(/^#\/?/, '');
  return tabs.some(([id]) => id === name) ? name : 'overview';
}

function App() {
  const [me, setMe] = useState(null);
  const [tab, setTab] = useState(currentTab());
  const [registry, setRegistry] = useState(null);
  const [clusters, setClusters] = useState([]);
  const [live, setLive] = useState({ ok: true, at: null, error: null });
  const [notice, setNotice] = useState(null);
  const [change, setChange] = useState(null);
  const [control, setControl] = useState(null);
  const etag = useRef(null);

  const signOut = useCallback((reason) => {
    session.clear();
    setMe(null);
    setRegistry(null);
    etag.current = null;
    if (reason) setNotice({ kind: 'error', text: reason });
  }, []);

  const refresh = useCallback(async () => {
    try {
      const [doc, list, rules] = await Promise.all([get('/v1/registry', { etag: etag.current }), get('/v1/clusters'), get('/v1/change-control')]);
      setControl(rules.body);
      if (!doc.notModified) {
        etag.current = doc.etag;
        setRegistry(doc.body);
      }
      setClusters(list.body.clusters);
      setLive({ ok: true, at: new Date(), error: null });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        signOut('The key was refused; sign in again.');
        return;
      }
      setLive((l) => ({ ok: false, at: l.at, error: error.message }));
    }
  }, [signOut]);

  useEffect(() => {
    const onHash = () => setTab(currentTab());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (!session.key()) return;
    get('/v1/me').then((r) => setMe(r.body), (error) => signOut(error.status === 401 ? 'The key was refused; sign in again.' : error.message));
  }, [signOut]);

  useEffect(() => {
    if (!me) return undefined;
    refresh();
    const timer = setInterval(refresh, pollMs);
    return () => clearInterval(timer);
  }, [me, refresh]);

  if (!me) {
    return <SignIn notice={notice} onSignedIn={(identity) => { setNotice(null); setMe(identity); }} />;
  }

  const can = { release: me.role === 'ReleaseManager', pin: me.role === 'ReleaseManager' || me.role === 'QA' };
  const revision = registry?.revision;

  // Every registry change goes through one dialog: a dry run against the revision on screen, its diff, a confirmation.
  const propose = (request) => setChange({ ...request, revision });
  const onDone = (outcome) => {
    setChange(null);
    if (outcome?.stale) {
      setNotice({ kind: 'warning', text: `The registry changed since this page showed it (${outcome.stale}). The page has been refreshed: check the change and try again.` });
    } else if (outcome?.applied) {
      setNotice({ kind: 'ok', text: outcome.applied });
    }
    refresh();
  };
  const context = { registry, clusters, revision, can, me, propose, setNotice, refresh };
  const Page = tabs.find(([id]) => id === tab)[2];

  return (
    <div class="shell">
      <header class="top">
        <div class="brand"><span class="logo" aria-hidden="true" />Red-White <span class="muted">releases</span></div>
        <nav aria-label="Sections">
          {tabs.map(([id, label]) => (
            <a href={`#/${id}`} class={id === tab ? 'tab current' : 'tab'} aria-current={id === tab ? 'page' : undefined}>{label}</a>
          ))}
        </nav>
        <div class="who">
          <span class={live.ok ? 'live ok' : 'live down'} title={live.error ?? 'Following changes live'} data-testid="live">
            {live.ok ? 'live' : 'reconnecting'}
          </span>
          <span data-testid="revision">revision {revision ?? '…'}</span>
          <span class="key">{me.name} · <strong data-testid="role">{me.role}</strong></span>
          <button type="button" class="ghost" onClick={() => signOut()}>Sign out</button>
        </div>
      </header>
      {notice && (
        <div class={`notice ${notice.kind}`} role={notice.kind === 'ok' ? 'status' : 'alert'} data-testid="notice">
          <span>{notice.text}</span>
          <button type="button" class="ghost" aria-label="Dismiss" onClick={() => setNotice(null)}>×</button>
        </div>
      )}
      {!live.ok && <div class="notice error" role="alert">Admin is not answering ({live.error}); showing what was read last.</div>}
      {control?.frozen && (
        <div class="notice warning" role="status" data-testid="freeze-banner">
          Changes are frozen until {new Date(control.frozen.until).toLocaleString()} ({control.frozen.reason}): only rollbacks, a rollout's
          abort or pause, and emergency changes with a reason.
        </div>
      )}
      <main>{registry ? <Page {...context} /> : <p class="muted">Reading the registry…</p>}</main>
      {change && <ChangeDialog change={change} onDone={onDone} />}
    </div>
  );
}

render(<App />, document.getElementById('app'));
