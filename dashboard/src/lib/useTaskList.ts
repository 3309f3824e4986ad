'use client';

import { useEffect, useState } from 'react';
import { api } from './api';
import { useLive, useTaskEvents } from './live';
import { applyEvents, type RowFilter } from './tasks';
import type { Task, TaskList } from './types';
import { useAsync } from './useAsync';

interface PageRef {
  offset: number;
  cursor?: string;
}

/**
 * One page of GET /api/tasks that stays current: streamed transitions update its rows (and add
 * new matching tasks on the first page); it re-reads after each poll while the stream is down.
 */
export function useTaskList(filter: RowFilter, limit: number) {
  const { refreshTick } = useLive();
  const key = JSON.stringify(filter);
  const [pages, setPages] = useState<PageRef[]>([{ offset: 0 }]);
  const [pagesKey, setPagesKey] = useState(key);
  if (pagesKey !== key) {
    setPagesKey(key);
    setPages([{ offset: 0 }]);
  }
  const page = pages[pages.length - 1];
  const list = useAsync<TaskList>(
    () =>
      api.listTasks({
        queue: filter.queue,
        status: filter.status,
        priority: filter.priority,
        limit,
        offset: page.cursor ? undefined : page.offset || undefined,
        cursor: page.cursor,
      }),
    [key, page.offset, page.cursor, limit],
  );
  const [view, setView] = useState<{ rows?: Task[]; total?: number }>({});
  const [seen, setSeen] = useState<TaskList | undefined>(undefined);
  if (list.data !== seen) {
    setSeen(list.data);
    // A read that was in flight while transitions streamed in must not undo them.
    setView((v) => ({ rows: keepNewer(list.data?.tasks, v.rows), total: list.data?.total }));
  }

  const { reload } = list;
  useEffect(() => {
    if (refreshTick > 0) reload();
  }, [refreshTick, reload]);

  const first = pages.length === 1;
  useTaskEvents((events) => {
    setView((v) => {
      if (!v.rows) return v;
      const r = applyEvents(v.rows, events, filter, first, limit);
      if (r.rows === v.rows) return v;
      return { rows: r.rows, total: v.total === undefined ? undefined : v.total + r.added };
    });
  });

  const data = list.data;
  const shownUpTo = page.offset + (view.rows?.length ?? 0);
  const hasNext = !!data && (!!data.next_cursor || shownUpTo < (view.total ?? data.total));
  return {
    rows: view.rows,
    total: view.total,
    error: list.error,
    loading: list.loading,
    reload,
    page: pages.length,
    hasPrev: pages.length > 1,
    hasNext,
    next: () => {
      if (!data) return;
      setPages((p) => [
        ...p,
        { offset: page.offset + data.tasks.length, cursor: data.next_cursor || undefined },
      ]);
    },
    prev: () => setPages((p) => (p.length > 1 ? p.slice(0, -1) : p)),
  };
}

function keepNewer(fresh: Task[] | undefined, current: Task[] | undefined): Task[] | undefined {
  if (!fresh || !current) return fresh;
  const byId = new Map(current.map((t) => [t.task_id, t]));
  return fresh.map((t) => {
    const c = byId.get(t.task_id);
    return c && (c.version ?? 0) > (t.version ?? 0) ? c : t;
  });
}
