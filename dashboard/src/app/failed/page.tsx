import type { Metadata } from 'next';
import { Suspense } from 'react';
import { FailedView } from '@/views/FailedView';

export const metadata: Metadata = { title: 'Failed' };

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <FailedView />
    </Suspense>
  );
}
