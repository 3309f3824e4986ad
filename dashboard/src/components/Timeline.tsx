import type { ApiError } from '@/lib/api';
import { fmtDuration, fmtTime } from '@/lib/format';
import type { TaskEvent } from '@/lib/types';
import { ErrorMessage } from './ErrorMessage';
import { StatusBadge } from './StatusBadge';

const TONE: Record<string, string> = {
  SUCCESS: 'ok',
  FAILED: 'bad',
  CANCELLED: 'warn',
  RUNNING: 'info',
};

/** Every transition of one task, oldest first, grouped by attempt. */
export function Timeline({ events, error }: { events?: TaskEvent[]; error?: ApiError }) {
  if (error && !events) return <ErrorMessage error={error} context="Timeline" />;
  if (!events) return <p className="muted">Loading timeline…</p>;
  if (!events.length) return <p className="empty">No transitions recorded yet.</p>;
  const first = events[0].at;
  return (
    <ol className="timeline" aria-label="Transitions, oldest first">
      {events.map((e, i) => {
        const newAttempt = i === 0 || events[i - 1].attempt !== e.attempt;
        const prev = i > 0 ? events[i - 1].at : undefined;
        return (
          <li
            key={`${e.version}-${e.transition}`}
            className={`tl-item tl-${TONE[e.to_status] ?? 'neutral'}`}
            data-transition={e.transition}
          >
            {newAttempt && e.attempt > 0 ? (
              <div className="tl-attempt">Attempt {e.attempt}</div>
            ) : null}
            <div className="tl-head">
              <strong className="tl-name">{e.transition}</strong>
              <span className="tl-states">
                {e.from_status ? <StatusBadge status={e.from_status} /> : null}
                {e.from_status ? <span aria-label="to"> → </span> : null}
                <StatusBadge status={e.to_status} />
              </span>
            </div>
            <div className="tl-meta muted">
              <time dateTime={new Date(e.at).toISOString()}>{fmtTime(e.at)}</time>
              <span>+{fmtDuration(e.at - first)}</span>
              {prev !== undefined ? <span>Δ {fmtDuration(e.at - prev)}</span> : null}
              <span>v{e.version}</span>
              {e.worker_id ? (
                <span>
                  worker <code>{e.worker_id}</code>
                </span>
              ) : null}
            </div>
            {e.reason ? <div className="tl-reason">{e.reason}</div> : null}
          </li>
        );
      })}
    </ol>
  );
}
