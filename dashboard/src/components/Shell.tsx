'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useLive } from '@/lib/live';
import { useSession } from '@/lib/session';
import { ConnectionIndicator } from './ConnectionIndicator';
import { ThemeToggle } from './ThemeToggle';

export const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/tasks/', label: 'Tasks' },
  { href: '/failed/', label: 'Failed' },
  { href: '/queues/', label: 'Queues' },
  { href: '/submit/', label: 'Submit' },
];

function isCurrent(path: string, href: string): boolean {
  const p = path.endsWith('/') ? path : `${path}/`;
  if (href === '/') return p === '/';
  return p === href || (href === '/tasks/' && p === '/task/');
}

export function Shell({ children }: { children: ReactNode }) {
  const path = usePathname() ?? '/';
  const { connection } = useLive();
  const { session, logout } = useSession();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          <span aria-hidden="true">▤</span> taskqueue
        </Link>
        <nav aria-label="Main" className="mainnav">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={isCurrent(path, n.href) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-right">
          <ConnectionIndicator connection={connection} />
          {session.auth_enabled ? (
            <span className="session">
              <span className="muted" title={`Scopes: ${session.scopes.join(', ')}`}>
                {session.name}
              </span>
              <button type="button" className="btn btn-ghost" onClick={() => void logout()}>
                Log out
              </button>
            </span>
          ) : null}
          <ThemeToggle />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
