'use client';

import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { LoginForm } from '@/components/LoginForm';
import { api, UNAUTHORIZED_EVENT } from './api';
import type { Session } from './types';

interface SessionState {
  session: Session;
  logout: () => Promise<void>;
}

const OPEN: Session = { auth_enabled: false, name: '', scopes: ['submit', 'read', 'admin'] };

const SessionContext = createContext<SessionState>({ session: OPEN, logout: async () => {} });

/** The caller's session: its key name and scopes (every scope when the gateway runs without auth). */
export function useSession(): SessionState {
  return useContext(SessionContext);
}

type Phase =
  { kind: 'checking' } | { kind: 'login'; notice?: string } | { kind: 'in'; session: Session };

/**
 * Renders its children only for a caller the gateway accepts: asks GET /api/session first and shows
 * the login form on 401, also later when any API call answers 401 (the session expired). Children
 * mount after login, so the live stream connects with the session cookie.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });

  useEffect(() => {
    let cancelled = false;
    api.session().then(
      (session) => !cancelled && setPhase({ kind: 'in', session }),
      (e) =>
        // Only a 401 means "log in"; an unreachable gateway is the pages' business to show.
        !cancelled &&
        setPhase(e?.status === 401 ? { kind: 'login' } : { kind: 'in', session: OPEN }),
    );
    const onUnauthorized = () =>
      setPhase((p) =>
        p.kind === 'in' && p.session.auth_enabled
          ? { kind: 'login', notice: 'Your session ended; log in again.' }
          : p,
      );
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => {
      cancelled = true;
      window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    };
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setPhase({ kind: 'login', notice: 'Logged out.' });
    }
  }, []);

  if (phase.kind === 'checking') {
    return (
      <main id="main" className="login" aria-busy="true">
        <p className="muted">Loading…</p>
      </main>
    );
  }
  if (phase.kind === 'login') {
    return (
      <LoginForm
        login={api.login}
        notice={phase.notice}
        onLoggedIn={(session) => setPhase({ kind: 'in', session })}
      />
    );
  }
  return (
    <SessionContext.Provider value={{ session: phase.session, logout }}>
      {children}
    </SessionContext.Provider>
  );
}
