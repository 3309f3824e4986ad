import type { Metadata } from 'next';
import { Suspense } from 'react';
import { TaskView } from '@/views/TaskView';

export const metadata: Metadata = { title: 'Task' };

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <TaskView />
    </Suspense>
  );
}
