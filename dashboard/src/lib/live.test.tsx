import { act, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { MockEventSource, event, jsonError, mockFetch, queue, stats, task } from '@/test/helpers';
import { LiveProvider, nextSample, useLive, useTaskEvents } from './live';
import type { TaskEvent } from './types';

function Probe() {
  const live = useLive();
  const [seen, setSeen] = useState<TaskEvent[]>([]);
  useTaskEvents((events) => setSeen((s) => [...s, ...events]));
  return (
    <div>
      <span data-testid="conn">{live.connection}</span>
      <span data-testid="running">{live.stats?.running_count ?? '-'}</span>
      <span data-testid="queues">{(live.queues ?? []).map((q) => q.queue).join(',')}</span>
      <span data-testid="history">{live.history.length}</span>
      <span data-testid="seen">{seen.map((e) => e.transition).join(',')}</span>
      <span data-testid="tick">{live.refreshTick}</span>
    </div>
  );
}

const renderLive = () =>
  render(
    <LiveProvider pollMs={40} retryStreamMs={60} openTimeoutMs={1000} stallMs={10_000}>
      <Probe />
    </LiveProvider>,
  );

describe('LiveProvider', () => {
  beforeEach(() => MockEventSource.install());

  it('connecting, then live with stats ticks and task events from the stream', async () => {
    mockFetch({ 'GET /api/stats': () => stats(), 'GET /api/queues': () => ({ queues: [] }) });
    renderLive();
    expect(screen.getByTestId('conn')).toHaveTextContent('connecting');
    const es = MockEventSource.latest();
    expect(es.url).toBe('/api/stream');
    act(() => es.open());
    expect(screen.getByTestId('conn')).toHaveTextContent('live');
    act(() =>
      es.emit('stats', {
        at: 2_000_000,
        stats: stats({ running_count: 7 }),
        queues: [queue({ queue: 'emails' })],
      }),
    );
    await waitFor(() => expect(screen.getByTestId('running')).toHaveTextContent('7'));
    expect(screen.getByTestId('queues')).toHaveTextContent('emails');
    act(() => {
      es.emit('task', event({ transition: 'SUBMITTED' }));
      es.emit('task', event({ transition: 'DISPATCHED', version: 2 }));
    });
    await waitFor(() =>
      expect(screen.getByTestId('seen')).toHaveTextContent('SUBMITTED,DISPATCHED'),
    );
  });

  it('falls back to polling when the stream is refused, and retries the stream', async () => {
    mockFetch({
      'GET /api/stats': () => stats({ running_count: 3 }),
      'GET /api/queues': () => ({ queues: [queue()] }),
    });
    renderLive();
    const first = MockEventSource.latest();
    act(() => first.fail(true));
    await waitFor(() => expect(screen.getByTestId('conn')).toHaveTextContent('polling'));
    expect(screen.getByTestId('running')).toHaveTextContent('3');
    await waitFor(() => expect(Number(screen.getByTestId('tick').textContent)).toBeGreaterThan(1));
    await waitFor(() => expect(MockEventSource.instances.length).toBeGreaterThan(1));
    act(() => MockEventSource.latest().open());
    expect(screen.getByTestId('conn')).toHaveTextContent('live');
  });

  it('is offline when neither the stream nor polling answers', async () => {
    mockFetch({
      'GET /api/stats': () => jsonError(503, 'Kafka unreachable'),
      'GET /api/queues': () => jsonError(503, 'Kafka unreachable'),
    });
    renderLive();
    act(() => MockEventSource.latest().fail(false));
    await waitFor(() => expect(screen.getByTestId('conn')).toHaveTextContent('offline'));
    expect(screen.getByTestId('running')).toHaveTextContent('-');
  });

  it('polls when EventSource does not exist', async () => {
    vi.stubGlobal('EventSource', undefined);
    mockFetch({ 'GET /api/stats': () => stats(), 'GET /api/queues': () => ({ queues: [] }) });
    renderLive();
    await waitFor(() => expect(screen.getByTestId('conn')).toHaveTextContent('polling'));
  });

  it('keeps a history of samples for the charts', async () => {
    mockFetch({ 'GET /api/stats': () => stats(), 'GET /api/queues': () => ({ queues: [] }) });
    renderLive();
    const es = MockEventSource.latest();
    act(() => es.open());
    for (let i = 1; i <= 3; i++) {
      act(() => es.emit('stats', { at: 1_000_000 + i * 1000, stats: stats(), queues: [] }));
    }
    await waitFor(() =>
      expect(Number(screen.getByTestId('history').textContent)).toBeGreaterThanOrEqual(3),
    );
  });
});

describe('nextSample', () => {
  it('computes throughput from finished totals between ticks', () => {
    const s1 = stats({ completed_total: 100, failed_total: 0, cancelled_total: 0 });
    const a = nextSample(undefined, undefined, { at: 1000, stats: s1, queues: [] });
    expect(a.throughput).toBe(s1.throughput_per_sec);
    const s2 = stats({ completed_total: 140, failed_total: 5, cancelled_total: 5 });
    const b = nextSample(a, s1, { at: 3000, stats: s2, queues: [] });
    expect(b.throughput).toBe(25);
    expect(b.p50).toBe(20);
    expect(b.p99).toBe(250);
    expect(b.queued).toBe(2);
    expect(b.delayed).toBe(1);
    expect(b.running).toBe(2);
  });
  it('never goes negative (totals reset after a restart)', () => {
    const s1 = stats({ completed_total: 100 });
    const a = nextSample(undefined, undefined, { at: 1000, stats: s1, queues: [] });
    const b = nextSample(a, s1, { at: 2000, stats: stats({ completed_total: 0 }), queues: [] });
    expect(b.throughput).toBe(0);
  });
});

describe('useLive without a provider', () => {
  it('is offline and empty', () => {
    render(<Probe />);
    expect(screen.getByTestId('conn')).toHaveTextContent('offline');
    void task;
  });
});
