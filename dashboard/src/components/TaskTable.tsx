import Link from 'next/link';
import type { ApiError } from '@/lib/api';
import { fmtAgo, fmtDuration, shortId } from '@/lib/format';
import type { Task } from '@/lib/types';
import { ErrorMessage } from './ErrorMessage';
import { StatusBadge } from './StatusBadge';

export interface Selection {
  selected: Set<string>;
  onToggle: (id: string) => void;
  onToggleAll: (ids: string[], on: boolean) => void;
}

function runTime(t: Task): number | undefined {
  if (!t.started_at) return undefined;
  return (t.completed_at || Date.now()) - t.started_at;
}

export function TaskTable({
  tasks,
  error,
  loading,
  now,
  selection,
  showError,
  emptyText = 'No tasks match these filters.',
}: {
  tasks?: Task[];
  error?: ApiError;
  loading?: boolean;
  now: number;
  selection?: Selection;
  showError?: boolean;
  emptyText?: string;
}) {
  if (error && !tasks) return <ErrorMessage error={error} context="Tasks" />;
  if (!tasks)
    return (
      <p className="muted" aria-busy={loading ?? true}>
        Loading tasks…
      </p>
    );
  if (!tasks.length) return <p className="empty">{emptyText}</p>;
  const allOn = !!selection && tasks.every((t) => selection.selected.has(t.task_id));
  return (
    <div className="table-wrap">
      <table className="tasks">
        <caption className="sr-only">Tasks</caption>
        <thead>
          <tr>
            {selection ? (
              <th scope="col" className="check">
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={allOn}
                  onChange={(e) =>
                    selection.onToggleAll(
                      tasks.map((t) => t.task_id),
                      e.target.checked,
                    )
                  }
                />
              </th>
            ) : null}
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col">Queue</th>
            <th scope="col" className="num">
              Priority
            </th>
            <th scope="col" className="num">
              Attempt
            </th>
            <th scope="col">Created</th>
            <th scope="col">Run time</th>
            {showError ? <th scope="col">Error</th> : null}
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.task_id} data-task-id={t.task_id} data-status={t.status}>
              {selection ? (
                <td className="check">
                  <input
                    type="checkbox"
                    aria-label={`Select task ${t.task_id}`}
                    checked={selection.selected.has(t.task_id)}
                    onChange={() => selection.onToggle(t.task_id)}
                  />
                </td>
              ) : null}
              <th scope="row">
                <Link href={`/task/?id=${t.task_id}`} title={t.task_id} className="mono">
                  {shortId(t.task_id)}
                </Link>
              </th>
              <td>
                <StatusBadge status={t.status} />
              </td>
              <td>{t.queue}</td>
              <td className="num">{t.priority}</td>
              <td className="num">
                {t.attempt} / {t.max_retries + 1}
              </td>
              <td title={new Date(t.created_at).toISOString()}>{fmtAgo(t.created_at, now)}</td>
              <td>{fmtDuration(runTime(t))}</td>
              {showError ? (
                <td className="error-cell" title={t.error}>
                  {t.error || '—'}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
