import Link from 'next/link';
import type { ApiError } from '@/lib/api';
import type { QueueInfo } from '@/lib/types';
import { ErrorMessage } from './ErrorMessage';

export function PriorityDepth({ byPriority }: { byPriority: Record<string, number> }) {
  const entries = Object.entries(byPriority ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => Number(b[0]) - Number(a[0]));
  if (!entries.length) return <span className="muted">—</span>;
  return (
    <span className="chips">
      {entries.map(([p, n]) => (
        <span key={p} className="chip" title={`priority ${p}: ${n} queued`}>
          P{p}: {n}
        </span>
      ))}
    </span>
  );
}

export function limitText(q: QueueInfo): string {
  const parts = [
    q.max_concurrency > 0 ? `≤ ${q.max_concurrency} running` : 'no concurrency cap',
    q.rate_per_second > 0 ? `${q.rate_per_second}/s (burst ${q.burst || 1})` : 'no rate limit',
  ];
  return parts.join(', ');
}

export function QueueTable({
  queues,
  error,
  loading,
}: {
  queues?: QueueInfo[];
  error?: ApiError;
  loading?: boolean;
}) {
  if (error && !queues) return <ErrorMessage error={error} context="Queues" />;
  if (!queues)
    return (
      <p className="muted" aria-busy={loading ?? true}>
        Loading queues…
      </p>
    );
  if (!queues.length) return <p className="empty">No queues yet. Submit a task to create one.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Queues</caption>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Queued
            </th>
            <th scope="col">By priority</th>
            <th scope="col" className="num">
              Delayed
            </th>
            <th scope="col" className="num">
              In flight
            </th>
            <th scope="col" className="num">
              Worker slots
            </th>
            <th scope="col">Limits</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.queue} data-queue={q.queue}>
              <th scope="row">
                <Link href={`/tasks/?queue=${encodeURIComponent(q.queue)}`}>{q.queue}</Link>
              </th>
              <td>
                {q.paused ? (
                  <span className="badge badge-paused">PAUSED</span>
                ) : (
                  <span className="badge badge-active">ACTIVE</span>
                )}
              </td>
              <td className="num">{q.queued}</td>
              <td>
                <PriorityDepth byPriority={q.queued_by_priority} />
              </td>
              <td className="num">{q.delayed}</td>
              <td className="num">{q.running}</td>
              <td className="num">{q.worker_slots}</td>
              <td className="muted">{limitText(q)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
