'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorMessage } from '@/components/ErrorMessage';
import { Pager } from '@/components/Pager';
import { TaskFilters, type Filters } from '@/components/TaskFilters';
import { TaskTable } from '@/components/TaskTable';
import { api, errorOf, type ApiError } from '@/lib/api';
import { useLive } from '@/lib/live';
import { useNow } from '@/lib/useNow';
import { useTaskList } from '@/lib/useTaskList';

const LIMIT = 50;
const RETRY_ALL_CAP = 10_000;

export interface RetryProgress {
  done: number;
  total: number;
  failed: number;
  lastError?: ApiError;
  running: boolean;
}

/** Retries ids with a few requests in flight; reports progress after each one. */
export async function retryMany(
  ids: string[],
  retry: (id: string) => Promise<unknown>,
  onProgress: (p: RetryProgress) => void,
  parallel = 8,
): Promise<RetryProgress> {
  const p: RetryProgress = { done: 0, total: ids.length, failed: 0, running: true };
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        await retry(id);
      } catch (e) {
        p.failed++;
        p.lastError = errorOf(e);
      }
      p.done++;
      onProgress({ ...p });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, ids.length) }, worker));
  p.running = false;
  onProgress({ ...p });
  return p;
}

/** Every FAILED task id matching the queue/priority filter (up to RETRY_ALL_CAP). */
async function allFailedIds(f: Filters): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let offset = 0;
  for (;;) {
    const page = await api.listTasks({
      status: 'FAILED',
      queue: f.queue,
      priority: f.priority,
      limit: 1000,
      cursor,
      offset: cursor ? undefined : offset || undefined,
    });
    ids.push(...page.tasks.map((t) => t.task_id));
    if (!page.tasks.length || ids.length >= RETRY_ALL_CAP) break;
    if (page.next_cursor) cursor = page.next_cursor;
    else if (ids.length < page.total) offset = ids.length;
    else break;
  }
  return [...new Set(ids)].slice(0, RETRY_ALL_CAP);
}

export function FailedView() {
  const params = useSearchParams();
  const router = useRouter();
  const { queues } = useLive();
  const now = useNow(1000);
  const filters: Filters = {
    queue: params.get('queue') ?? '',
    status: 'FAILED',
    priority: params.get('priority') ?? '',
  };
  const list = useTaskList(filters, LIMIT);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [progress, setProgress] = useState<RetryProgress | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const setFilters = (f: Filters) => {
    const p = new URLSearchParams();
    if (f.queue) p.set('queue', f.queue);
    if (f.priority) p.set('priority', f.priority);
    const qs = p.toString();
    setSelected(new Set());
    router.replace(qs ? `/failed/?${qs}` : '/failed/');
  };

  const run = async (ids: () => Promise<string[]>) => {
    setError(undefined);
    setConfirming(false);
    setProgress({ done: 0, total: 0, failed: 0, running: true });
    try {
      const list = await ids();
      await retryMany(list, api.retry, setProgress);
      setSelected(new Set());
    } catch (e) {
      setError(errorOf(e));
      setProgress(undefined);
    }
    list.reload();
  };

  const running = progress?.running ?? false;
  const stillFailed = (list.rows ?? []).filter((t) => t.status === 'FAILED').map((t) => t.task_id);
  const selectedIds = [...selected].filter((id) => stillFailed.includes(id));
  return (
    <div className="page">
      <div className="page-head">
        <h1>Failed tasks</h1>
        <span className="muted">
          Dead letters: retries used up or a non-retryable error. Retry re-queues with a fresh
          budget.
        </span>
      </div>
      <TaskFilters
        value={filters}
        queues={(queues ?? []).map((q) => q.queue)}
        onChange={setFilters}
        hideStatus
      />
      <div className="toolbar" role="group" aria-label="Bulk actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={running || selectedIds.length === 0}
          onClick={() => run(async () => selectedIds)}
        >
          Retry selected ({selectedIds.length})
        </button>
        {confirming ? (
          <>
            <span>
              Retry all {list.total?.toLocaleString('en-US') ?? ''} failed tasks
              {filters.queue ? ` in ${filters.queue}` : ''}?
            </span>
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => run(() => allFailedIds(filters))}
            >
              Yes, retry all
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              Keep them
            </button>
          </>
        ) : (
          <button
            type="button"
            className="btn"
            disabled={running || !list.total}
            onClick={() => setConfirming(true)}
          >
            Retry all matching…
          </button>
        )}
        {progress ? (
          <span role="status" className={progress.failed ? 'error-text' : 'muted'}>
            {progress.running
              ? `Retrying… ${progress.done} of ${progress.total || '?'}`
              : `Retried ${progress.done - progress.failed} of ${progress.total}` +
                (progress.failed ? `, ${progress.failed} refused` : '')}
          </span>
        ) : null}
      </div>
      <ErrorMessage error={error} context="Retry" />
      {progress?.lastError && !progress.running ? (
        <ErrorMessage error={progress.lastError} context="Last refusal" />
      ) : null}
      <TaskTable
        tasks={list.rows}
        error={list.error}
        loading={list.loading}
        now={now}
        showError
        emptyText="No failed tasks. 🎉"
        selection={{
          selected,
          onToggle: (id) =>
            setSelected((s) => {
              const n = new Set(s);
              if (n.has(id)) n.delete(id);
              else n.add(id);
              return n;
            }),
          onToggleAll: (ids, on) =>
            setSelected((s) => {
              const n = new Set(s);
              for (const id of ids) {
                if (on) n.add(id);
                else n.delete(id);
              }
              return n;
            }),
        }}
      />
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
