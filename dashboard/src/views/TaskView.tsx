'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { TaskDetail } from '@/components/TaskDetail';
import { Timeline } from '@/components/Timeline';
import { api, errorOf, type ApiError } from '@/lib/api';
import { useLive, useTaskEvents } from '@/lib/live';
import type { Task, TaskEvent } from '@/lib/types';
import { useAsync } from '@/lib/useAsync';

function mergeEvents(a: TaskEvent[], b: TaskEvent[]): TaskEvent[] {
  const byVersion = new Map<number, TaskEvent>();
  for (const e of [...a, ...b]) byVersion.set(e.version, e);
  return [...byVersion.values()].sort((x, y) => x.version - y.version);
}

export function TaskView() {
  const id = useSearchParams().get('id') ?? '';
  if (!id) {
    return (
      <div className="page">
        <h1>Task</h1>
        <p className="empty">
          No task id given. Find one on the <Link href="/tasks/">Tasks</Link> page.
        </p>
      </div>
    );
  }
  return <TaskPage key={id} id={id} />;
}

function TaskPage({ id }: { id: string }) {
  const { refreshTick } = useLive();
  const loaded = useAsync(() => Promise.all([api.getTask(id), api.getEvents(id)] as const), [id]);
  const [task, setTask] = useState<Task | undefined>(undefined);
  const [events, setEvents] = useState<TaskEvent[] | undefined>(undefined);
  const [seen, setSeen] = useState(loaded.data);
  if (loaded.data !== seen) {
    setSeen(loaded.data);
    if (loaded.data) {
      const [t, ev] = loaded.data;
      setTask((cur) => (cur && (cur.version ?? 0) > (t.version ?? 0) ? cur : t));
      setEvents((cur) => mergeEvents(cur ?? [], ev));
    }
  }
  const { reload } = loaded;
  useEffect(() => {
    if (refreshTick > 0) reload();
  }, [refreshTick, reload]);

  useTaskEvents((batch) => {
    const mine = batch.filter((e) => e.task_id === id);
    if (!mine.length) return;
    setEvents((cur) => mergeEvents(cur ?? [], mine));
    const latest = mine.reduce((a, b) => (b.version > a.version ? b : a));
    if (latest.task) {
      const snap = latest.task;
      setTask((cur) => (!cur || (cur.version ?? 0) < (snap.version ?? 0) ? snap : cur));
    }
  });

  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<ApiError | undefined>(undefined);
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await f();
      reload();
    } catch (e) {
      setActionError(errorOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>
          Task <code className="task-id">{id}</code>
        </h1>
        <Link href="/tasks/">← All tasks</Link>
      </div>
      <div className="detail-grid">
        <section aria-label="Task fields">
          <TaskDetail
            task={task}
            error={loaded.error}
            busy={busy}
            actionError={actionError}
            onCancel={() => act(() => api.cancel(id))}
            onRetry={() => act(() => api.retry(id))}
          />
        </section>
        <section aria-labelledby="timeline-h" className="card">
          <h2 id="timeline-h">Timeline</h2>
          <Timeline events={events} error={task ? undefined : loaded.error} />
        </section>
      </div>
    </div>
  );
}
