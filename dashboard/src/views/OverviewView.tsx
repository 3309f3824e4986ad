'use client';

import { useEffect } from 'react';
import Link from 'next/link';
import { LineChart } from '@/components/LineChart';
import { QueueTable } from '@/components/QueueTable';
import { StatCard } from '@/components/StatCard';
import { WorkersTable } from '@/components/WorkersTable';
import { api } from '@/lib/api';
import { fmtDuration, fmtNumber } from '@/lib/format';
import { useLive } from '@/lib/live';
import { useAsync } from '@/lib/useAsync';
import { useNow } from '@/lib/useNow';

const WINDOW_MS = 5 * 60_000;

export function OverviewView() {
  const { stats, queues, history, connection } = useLive();
  const now = useNow(1000);
  const workers = useAsync(() => api.workers(), []);
  const { reload } = workers;
  useEffect(() => {
    const t = setInterval(reload, 5000);
    return () => clearInterval(t);
  }, [reload]);

  const pts = (f: (s: (typeof history)[number]) => number) =>
    history.map((s) => ({ t: s.at, v: f(s) }));
  const s = stats;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Overview</h1>
        <span className="muted">
          {connection === 'live' ? 'Updated every second' : 'Updated every few seconds'}
        </span>
      </div>
      <section aria-label="Key figures" className="stat-grid">
        <StatCard
          label="Pending"
          value={s && fmtNumber(s.pending_count)}
          hint={s && `${fmtNumber(s.queued_count)} queued · ${fmtNumber(s.delayed_count)} delayed`}
          tone="info"
        />
        <StatCard label="Running" value={s && fmtNumber(s.running_count)} tone="info" />
        <StatCard
          label="Completed today"
          value={s && fmtNumber(s.completed_today)}
          hint={s && `${fmtNumber(s.completed_total)} in total`}
          tone="ok"
        />
        <StatCard
          label="Failed today"
          value={s && fmtNumber(s.failed_today)}
          hint={s && `${fmtNumber(s.cancelled_total)} cancelled in total`}
          tone={s && s.failed_today > 0 ? 'bad' : undefined}
        />
        <StatCard
          label="Throughput (last minute)"
          value={s && `${fmtNumber(s.throughput_per_sec, 2)}/s`}
        />
        <StatCard
          label="Latency p50"
          value={s && fmtDuration(s.end_to_end?.p50_ms)}
          hint={s?.queue_wait ? `queue wait p50 ${fmtDuration(s.queue_wait.p50_ms)}` : 'end to end'}
        />
        <StatCard
          label="Latency p99"
          value={s && fmtDuration(s.p99_latency_ms)}
          hint={s?.run_time ? `run time p99 ${fmtDuration(s.run_time.p99_ms)}` : 'end to end'}
        />
      </section>
      <section aria-label="Charts" className="chart-grid">
        <LineChart
          title="Throughput (tasks finished / s)"
          windowMs={WINDOW_MS}
          format={(v) => v.toFixed(v < 10 ? 1 : 0)}
          series={[{ label: 'finished/s', color: 'var(--c1)', points: pts((x) => x.throughput) }]}
        />
        <LineChart
          title="Latency, end to end"
          windowMs={WINDOW_MS}
          format={(v) => fmtDuration(v)}
          series={[
            { label: 'p50', color: 'var(--c2)', points: pts((x) => x.p50) },
            { label: 'p99', color: 'var(--c3)', points: pts((x) => x.p99) },
          ]}
        />
        <LineChart
          title="Depth"
          windowMs={WINDOW_MS}
          series={[
            { label: 'queued', color: 'var(--c1)', points: pts((x) => x.queued) },
            { label: 'delayed', color: 'var(--c4)', points: pts((x) => x.delayed) },
            { label: 'running', color: 'var(--c2)', points: pts((x) => x.running) },
          ]}
        />
      </section>
      <section aria-labelledby="queues-h">
        <div className="section-head">
          <h2 id="queues-h">Queues</h2>
          <Link href="/queues/">Manage queues →</Link>
        </div>
        <QueueTable queues={queues} />
      </section>
      <section aria-labelledby="workers-h">
        <h2 id="workers-h">Workers</h2>
        <WorkersTable workers={workers.data} error={workers.error} now={now} />
      </section>
    </div>
  );
}
