'use client';

import { useState, type FormEvent } from 'react';
import { errorOf, type ApiError } from '@/lib/api';
import type { QueueInfo } from '@/lib/types';
import { ErrorMessage } from './ErrorMessage';
import { PriorityDepth, limitText } from './QueueTable';

export interface QueueActions {
  pause: (q: string) => Promise<unknown>;
  resume: (q: string) => Promise<unknown>;
  setLimits: (
    q: string,
    l: { max_concurrency: number; rate_per_second: number; burst: number },
  ) => Promise<unknown>;
}

/** One queue with its controls: pause/resume and the concurrency and rate limits. */
export function QueueCard({
  queue,
  actions,
  onChanged,
}: {
  queue: QueueInfo;
  actions: QueueActions;
  onChanged?: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [conc, setConc] = useState(String(queue.max_concurrency));
  const [rate, setRate] = useState(String(queue.rate_per_second));
  const [burst, setBurst] = useState(String(queue.burst));
  const [pending, setPending] = useState<boolean | undefined>(undefined);
  const paused = pending ?? queue.paused;
  const id = `q-${queue.queue.replace(/[^a-zA-Z0-9_-]/g, '_')}`;

  const run = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      await what();
      setSaved(done);
      onChanged?.();
    } catch (e) {
      setError(errorOf(e));
      setPending(undefined);
    } finally {
      setBusy(false);
    }
  };

  const togglePause = () => {
    const next = !paused;
    setPending(next);
    void run(
      () => (next ? actions.pause(queue.queue) : actions.resume(queue.queue)),
      next ? 'Paused: tasks are accepted but not dispatched.' : 'Resumed.',
    );
  };

  const saveLimits = (e: FormEvent) => {
    e.preventDefault();
    void run(
      () =>
        actions.setLimits(queue.queue, {
          max_concurrency: Number(conc || 0),
          rate_per_second: Number(rate || 0),
          burst: Number(burst || 0),
        }),
      'Limits saved.',
    );
  };

  // The engine's view wins once it agrees with what was asked.
  if (pending !== undefined && pending === queue.paused) setPending(undefined);

  return (
    <section className="card queue-card" aria-labelledby={`${id}-h`} data-queue={queue.queue}>
      <header className="queue-head">
        <h2 id={`${id}-h`}>{queue.queue}</h2>
        {paused ? (
          <span className="badge badge-paused">PAUSED</span>
        ) : (
          <span className="badge badge-active">ACTIVE</span>
        )}
        <button
          type="button"
          className={`btn ${paused ? 'btn-primary' : 'btn-warn'}`}
          onClick={togglePause}
          disabled={busy}
        >
          {paused ? `Resume ${queue.queue}` : `Pause ${queue.queue}`}
        </button>
      </header>
      <dl className="queue-figures">
        <div>
          <dt>Queued</dt>
          <dd>{queue.queued}</dd>
        </div>
        <div>
          <dt>Delayed</dt>
          <dd>{queue.delayed}</dd>
        </div>
        <div>
          <dt>In flight</dt>
          <dd>{queue.running}</dd>
        </div>
        <div>
          <dt>Worker slots</dt>
          <dd>{queue.worker_slots}</dd>
        </div>
        <div className="wide">
          <dt>By priority</dt>
          <dd>
            <PriorityDepth byPriority={queue.queued_by_priority} />
          </dd>
        </div>
        <div className="wide">
          <dt>Limits</dt>
          <dd>{limitText(queue)}</dd>
        </div>
      </dl>
      <form className="limits" onSubmit={saveLimits} noValidate>
        <label>
          Max concurrency
          <input
            type="number"
            min={0}
            value={conc}
            onChange={(e) => setConc(e.target.value)}
            aria-describedby={`${id}-lh`}
          />
        </label>
        <label>
          Rate / s
          <input
            type="number"
            min={0}
            step="any"
            value={rate}
            onChange={(e) => setRate(e.target.value)}
            aria-describedby={`${id}-lh`}
          />
        </label>
        <label>
          Burst
          <input
            type="number"
            min={0}
            value={burst}
            onChange={(e) => setBurst(e.target.value)}
            aria-describedby={`${id}-lh`}
          />
        </label>
        <button type="submit" className="btn" disabled={busy}>
          Save limits
        </button>
        <span id={`${id}-lh`} className="hint">
          0 = unlimited.
        </span>
      </form>
      <ErrorMessage error={error} context={queue.queue} />
      {saved ? (
        <p className="ok-text" role="status">
          {saved}
        </p>
      ) : null}
    </section>
  );
}

export function QueueControls({
  queues,
  error,
  actions,
  onChanged,
}: {
  queues?: QueueInfo[];
  error?: ApiError;
  actions: QueueActions;
  onChanged?: () => void;
}) {
  if (error && !queues) return <ErrorMessage error={error} context="Queues" />;
  if (!queues) return <p className="muted">Loading queues…</p>;
  if (!queues.length) return <p className="empty">No queues yet. Submit a task to create one.</p>;
  return (
    <div className="queue-grid">
      {queues.map((q) => (
        <QueueCard key={q.queue} queue={q} actions={actions} onChanged={onChanged} />
      ))}
    </div>
  );
}
