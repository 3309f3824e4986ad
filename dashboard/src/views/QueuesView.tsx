'use client';

import { QueueControls } from '@/components/QueueControls';
import { api } from '@/lib/api';
import { useLive } from '@/lib/live';
import { useAsync } from '@/lib/useAsync';

export function QueuesView() {
  const live = useLive();
  const fetched = useAsync(() => api.queues(), []);
  // Prefer the live ticks; fall back to the fetched list until the first tick.
  const queues = live.queues ?? fetched.data;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Queues</h1>
        <span className="muted">
          Pausing keeps accepting tasks; they wait QUEUED until resumed.
        </span>
      </div>
      <QueueControls
        queues={queues}
        error={fetched.error}
        actions={{ pause: api.pause, resume: api.resume, setLimits: api.setLimits }}
        onChanged={fetched.reload}
      />
    </div>
  );
}
