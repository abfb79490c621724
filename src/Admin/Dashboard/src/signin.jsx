import { useState } from 'preact/hooks';
import { ApiError, get, session } from './api.js';

/** Sign-in with an API key; the key is kept in this tab's session only. */
export function SignIn({ notice, onSignedIn }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    session.save(key.trim());
    try {
      onSignedIn((await get('/v1/me')).body);
    } catch (failure) {
      session.clear();
      setError(failure instanceof ApiError && failure.status === 401 ? 'That key is not valid.' : failure.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form onSubmit={submit} class="card" aria-labelledby="signin-title">
        <h1 id="signin-title"><span class="logo" aria-hidden="true" />Red-White releases</h1>
        <p class="muted">Sign in with your Admin API key. It is kept in this browser tab only, and forgotten when the tab closes.</p>
        {notice && <p class="field-error" role="alert">{notice.text}</p>}
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        {error && <p class="field-error" role="alert">{error}</p>}
        <button type="submit" disabled={busy || !key.trim()}>Sign in</button>
      </form>
    </main>
  );
}
