import type { ApiError } from '@/lib/api';
import { fmtDuration, fmtTime } from '@/lib/format';
import { TERMINAL, type Task } from '@/lib/types';
import { ErrorMessage } from './ErrorMessage';
import { JsonBlock } from './JsonBlock';
import { StatusBadge } from './StatusBadge';

function Field({ name, children }: { name: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </>
  );
}

function kv(m?: Record<string, string>): string {
  const e = Object.entries(m ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(', ') : '—';
}

export function TaskDetail({
  task,
  error,
  busy,
  actionError,
  onCancel,
  onRetry,
}: {
  task?: Task;
  error?: ApiError;
  busy?: boolean;
  actionError?: ApiError;
  onCancel: () => void;
  onRetry: () => void;
}) {
  if (error && !task) return <ErrorMessage error={error} context="Task" />;
  if (!task) return <p className="muted">Loading task…</p>;
  const finished = TERMINAL.includes(task.status);
  const retryable = task.status === 'FAILED' || task.status === 'CANCELLED';
  const wait = task.started_at && task.queued_at ? task.started_at - task.queued_at : undefined;
  const run =
    task.started_at && task.completed_at ? task.completed_at - task.started_at : undefined;
  return (
    <div className="task-detail">
      <div className="task-head" data-testid="task-status" data-status={task.status}>
        <StatusBadge status={task.status} />
        <div className="actions">
          <button
            type="button"
            className="btn btn-danger"
            onClick={onCancel}
            disabled={busy || finished}
            title={finished ? 'Finished tasks cannot be cancelled' : undefined}
          >
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={onRetry}
            disabled={busy || !retryable}
            title={retryable ? undefined : 'Only FAILED or CANCELLED tasks can be retried'}
          >
            Retry
          </button>
        </div>
      </div>
      <ErrorMessage error={actionError} />
      {task.error ? (
        <div className="alert alert-error" role="note">
          <strong>Error</strong>
          <div className="pre-wrap">{task.error}</div>
        </div>
      ) : null}
      <dl className="fields">
        <Field name="Task id">
          <code>{task.task_id}</code>
        </Field>
        <Field name="Queue">{task.queue}</Field>
        <Field name="Priority">{task.priority}</Field>
        <Field name="Attempt">
          {task.attempt} of {task.max_retries + 1} (max retries {task.max_retries})
        </Field>
        <Field name="Worker">{task.worker_id || '—'}</Field>
        <Field name="Created">{fmtTime(task.created_at)}</Field>
        <Field name="Queued">{fmtTime(task.queued_at)}</Field>
        <Field name="Started">{fmtTime(task.started_at)}</Field>
        <Field name="Completed">{fmtTime(task.completed_at)}</Field>
        <Field name="Updated">{fmtTime(task.updated_at)}</Field>
        <Field name="Run at">{fmtTime(task.run_at)}</Field>
        <Field name="Queue wait">{fmtDuration(wait)}</Field>
        <Field name="Run time">{fmtDuration(run)}</Field>
        <Field name="Timeout">{fmtDuration(task.timeout_ms)}</Field>
        <Field name="Version">{task.version ?? '—'}</Field>
        <Field name="Task type">{task.task_type || '—'}</Field>
        <Field name="Idempotency key">{task.idempotency_key || '—'}</Field>
        <Field name="Retry policy">
          {task.retry_policy
            ? `${fmtDuration(task.retry_policy.initial_backoff_ms)} × ${task.retry_policy.multiplier}^n, max ${fmtDuration(
                task.retry_policy.max_backoff_ms,
              )}, jitter ${Math.round(task.retry_policy.jitter * 100)} %`
            : '—'}
        </Field>
        <Field name="Labels">{kv(task.labels)}</Field>
        <Field name="Metadata">{kv(task.metadata)}</Field>
      </dl>
      <div className="json-grid">
        <JsonBlock label="Payload" text={task.payload} />
        <JsonBlock label="Result" text={task.result} />
      </div>
    </div>
  );
}
