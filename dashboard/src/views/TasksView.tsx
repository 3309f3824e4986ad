'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { Pager } from '@/components/Pager';
import { TaskFilters, type Filters } from '@/components/TaskFilters';
import { TaskTable } from '@/components/TaskTable';
import { ErrorMessage } from '@/components/ErrorMessage';
import { useLive } from '@/lib/live';
import { useNow } from '@/lib/useNow';
import { useTaskList } from '@/lib/useTaskList';

const LIMIT = 50;

export function TasksView() {
  const params = useSearchParams();
  const router = useRouter();
  const { queues } = useLive();
  const now = useNow(1000);
  const filters: Filters = {
    queue: params.get('queue') ?? '',
    status: params.get('status') ?? '',
    priority: params.get('priority') ?? '',
  };
  const list = useTaskList(filters, LIMIT);
  const setFilters = (f: Filters) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
    const qs = p.toString();
    router.replace(qs ? `/tasks/?${qs}` : '/tasks/');
  };
  return (
    <div className="page">
      <div className="page-head">
        <h1>Tasks</h1>
        <span className="muted">
          {list.total !== undefined ? `${list.total.toLocaleString('en-US')} matching` : ''}
        </span>
      </div>
      <TaskFilters
        value={filters}
        queues={(queues ?? []).map((q) => q.queue)}
        onChange={setFilters}
        onSearch={(id) => router.push(`/task/?id=${encodeURIComponent(id)}`)}
      />
      {list.rows ? <ErrorMessage error={list.error} context="Refresh failed" /> : null}
      <TaskTable tasks={list.rows} error={list.error} loading={list.loading} now={now} />
      <Pager
        page={list.page}
        hasPrev={list.hasPrev}
        hasNext={list.hasNext}
        onPrev={list.prev}
        onNext={list.next}
        total={list.total}
        shown={list.rows?.length ?? 0}
      />
    </div>
  );
}
