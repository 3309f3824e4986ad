'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useLive } from '@/lib/live';
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
          <ThemeToggle />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
