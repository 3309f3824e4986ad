import type { ApiError } from '@/lib/api';
import { fmtAgo, fmtDuration } from '@/lib/format';
import type { Worker } from '@/lib/types';
import { ErrorMessage } from './ErrorMessage';

export function WorkersTable({
  workers,
  error,
  now,
}: {
  workers?: Worker[];
  error?: ApiError;
  now: number;
}) {
  if (error && !workers) return <ErrorMessage error={error} context="Workers" />;
  if (!workers) return <p className="muted">Loading workers…</p>;
  if (!workers.length)
    return <p className="empty">No workers registered. Tasks wait QUEUED until one starts.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Workers</caption>
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">State</th>
            <th scope="col">Queues</th>
            <th scope="col">Slots in use</th>
            <th scope="col">Last heartbeat</th>
            <th scope="col">Up for</th>
            <th scope="col">Host</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((w) => {
            const pct = w.slots > 0 ? Math.round((w.busy / w.slots) * 100) : 0;
            return (
              <tr key={w.worker_id}>
                <th scope="row">
                  <code>{w.worker_id}</code>
                </th>
                <td>
                  <span className={`badge badge-${(w.state || 'unknown').toLowerCase()}`}>
                    {w.state || 'UNKNOWN'}
                  </span>
                </td>
                <td>{w.queues.join(', ') || '—'}</td>
                <td>
                  <span className="meter" aria-hidden="true">
                    <span style={{ width: `${pct}%` }} />
                  </span>{' '}
                  {w.busy} / {w.slots}
                </td>
                <td>{fmtAgo(w.last_heartbeat_at, now)}</td>
                <td>{w.started_at ? fmtDuration(now - w.started_at) : '—'}</td>
                <td>{w.host || '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
