'use client';

import { useEffect, useRef, useState } from 'react';
import { SubmitForm } from '@/components/SubmitForm';
import { TaskTable } from '@/components/TaskTable';
import { api } from '@/lib/api';
import { useLive, useTaskEvents } from '@/lib/live';
import { applyEvents } from '@/lib/tasks';
import type { SubmitRequest, SubmitResponse, Task } from '@/lib/types';
import { useNow } from '@/lib/useNow';

/** The submit form, and the tasks submitted from this page, kept live. */
export function SubmitView() {
  const { queues, refreshTick } = useLive();
  const now = useNow(1000);
  const [recent, setRecent] = useState<Task[]>([]);

  const onSubmitted = (res: SubmitResponse, req: SubmitRequest) => {
    const t = Date.now();
    const placeholder: Task = {
      task_id: res.task_id,
      status: res.status,
      queue: req.queue ?? 'default',
      payload: '',
      priority: req.priority ?? 5,
      attempt: 0,
      max_retries: req.max_retries ?? 3,
      result: '',
      error: '',
      created_at: t,
      updated_at: t,
      started_at: 0,
      completed_at: 0,
      version: 0,
    };
    setRecent((r) => [placeholder, ...r.filter((x) => x.task_id !== res.task_id)].slice(0, 20));
    // The real snapshot (in case transitions raced ahead of this page).
    api
      .getTask(res.task_id)
      .then((task) =>
        setRecent((r) =>
          r.map((x) =>
            x.task_id === task.task_id && (x.version ?? 0) < (task.version ?? 0) ? task : x,
          ),
        ),
      )
      .catch(() => undefined);
  };

  useTaskEvents((events) => {
    setRecent((r) => applyEvents(r, events, {}, false, 20).rows);
  });

  // While polling (or after the stream reopens), re-read the unfinished ones.
  const recentRef = useRef(recent);
  useEffect(() => {
    recentRef.current = recent;
  });
  useEffect(() => {
    if (refreshTick === 0) return;
    for (const t of recentRef.current) {
      if (t.status === 'SUCCESS' || t.status === 'FAILED' || t.status === 'CANCELLED') continue;
      api
        .getTask(t.task_id)
        .then((task) =>
          setRecent((rr) =>
            rr.map((x) =>
              x.task_id === task.task_id && (x.version ?? 0) < (task.version ?? 0) ? task : x,
            ),
          ),
        )
        .catch(() => undefined);
    }
  }, [refreshTick]);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Submit a task</h1>
      </div>
      <SubmitForm
        submit={api.submit}
        onSubmitted={onSubmitted}
        queues={(queues ?? []).map((q) => q.queue)}
      />
      <section aria-labelledby="recent-h">
        <h2 id="recent-h">Submitted from this page</h2>
        <TaskTable tasks={recent} now={now} emptyText="Nothing submitted yet." />
      </section>
    </div>
  );
}
