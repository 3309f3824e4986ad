import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Shell } from '@/components/Shell';
import { LiveProvider } from '@/lib/live';
import { SessionGate } from '@/lib/session';
import { THEME_BOOT_SCRIPT } from '@/lib/theme';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'taskqueue', template: '%s · taskqueue' },
  description: 'Live dashboard of taskqueue: tasks, queues, workers.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  colorScheme: 'light dark',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>
        <SessionGate>
          <LiveProvider>
            <Shell>{children}</Shell>
          </LiveProvider>
        </SessionGate>
      </body>
    </html>
  );
}
