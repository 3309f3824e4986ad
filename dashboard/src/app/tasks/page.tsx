import type { Metadata } from 'next';
import { Suspense } from 'react';
import { TasksView } from '@/views/TasksView';

export const metadata: Metadata = { title: 'Tasks' };

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <TasksView />
    </Suspense>
  );
}
