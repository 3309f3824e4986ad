'use client';

import { useState, type FormEvent } from 'react';
import { errorOf, type ApiError } from '@/lib/api';
import type { Session } from '@/lib/types';
import { ErrorMessage } from './ErrorMessage';

/**
 * Asks for an API key and trades it for a session cookie (POST /api/session). The key itself is
 * not stored by the dashboard: the gateway keeps the session in an HttpOnly cookie.
 */
export function LoginForm({
  login,
  onLoggedIn,
  notice,
}: {
  login: (apiKey: string) => Promise<Session>;
  onLoggedIn: (session: Session) => void;
  notice?: string;
}) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!key.trim()) {
      setError(errorOf(new Error('Enter an API key.')));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      onLoggedIn(await login(key.trim()));
    } catch (err) {
      setError(errorOf(err));
      setBusy(false);
    }
  }

  return (
    <main id="main" className="login">
      <form className="card form" onSubmit={onSubmit} noValidate aria-label="Log in">
        <h1>
          <span aria-hidden="true">▤</span> taskqueue
        </h1>
        {notice ? (
          <p className="muted" role="status">
            {notice}
          </p>
        ) : null}
        <label>
          API key
          <input
            name="api_key"
            type="password"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            autoComplete="current-password"
            aria-describedby="api-key-hint"
            autoFocus
          />
          <span id="api-key-hint" className="hint">
            A key from <code>taskqueue keys create</code>; its scopes decide what you may do.
          </span>
        </label>
        <ErrorMessage error={error} context="Login failed" />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Log in
          </button>
        </div>
      </form>
    </main>
  );
}
