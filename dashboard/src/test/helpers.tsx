import { vi } from 'vitest';
import type { QueueInfo, Stats, Task, TaskEvent, Worker } from '@/lib/types';

type Handler = (url: URL, init?: RequestInit) => unknown | Response | Promise<unknown | Response>;

/** Stubs global fetch with handlers keyed by "METHOD /path" (query ignored). */
export function mockFetch(routes: Record<string, Handler>) {
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const key = `${(init?.method ?? 'GET').toUpperCase()} ${url.pathname}`;
    const h = routes[key] ?? routes[`* ${url.pathname}`];
    if (!h) return new Response(JSON.stringify({ error: `no mock for ${key}` }), { status: 404 });
    const out = await h(url, init);
    if (out instanceof Response) return out;
    return new Response(JSON.stringify(out), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

export function jsonError(status: number, error: string, field?: string): Response {
  return new Response(JSON.stringify(field ? { error, field } : { error }), { status });
}

/** A controllable EventSource double. */
export class MockEventSource {
  static instances: MockEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly url: string;
  readyState = 0;
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  private listeners = new Map<string, ((e: MessageEvent) => void)[]>();

  constructor(url: string) {
    this.url = url;
    MockEventSource.instances.push(this);
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  removeEventListener() {}
  close() {
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  emit(type: string, data: unknown) {
    const e = new MessageEvent(type, { data: JSON.stringify(data) });
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.onerror?.(new Event('error'));
  }
  static latest(): MockEventSource {
    return MockEventSource.instances[MockEventSource.instances.length - 1];
  }
  static install() {
    MockEventSource.instances = [];
    vi.stubGlobal('EventSource', MockEventSource);
  }
}

export function task(over: Partial<Task> = {}): Task {
  return {
    task_id: '11111111-1111-4111-8111-111111111111',
    status: 'QUEUED',
    queue: 'default',
    payload: '{"hello":"world"}',
    priority: 5,
    attempt: 0,
    max_retries: 3,
    result: '',
    error: '',
    created_at: 1_700_000_000_000,
    updated_at: 1_700_000_000_000,
    started_at: 0,
    completed_at: 0,
    queued_at: 1_700_000_000_000,
    version: 1,
    worker_id: '',
    metadata: {},
    labels: {},
    ...over,
  };
}

export function event(over: Partial<TaskEvent> & { task?: Task } = {}): TaskEvent {
  const t = over.task ?? task();
  return {
    task_id: t.task_id,
    version: t.version ?? 1,
    transition: 'SUBMITTED',
    from_status: '',
    to_status: t.status,
    at: t.updated_at,
    attempt: t.attempt,
    worker_id: t.worker_id ?? '',
    reason: '',
    task: t,
    ...over,
  };
}

export function stats(over: Partial<Stats> = {}): Stats {
  return {
    pending_count: 3,
    running_count: 2,
    completed_today: 40,
    failed_today: 1,
    p99_latency_ms: 250,
    throughput_per_sec: 1.5,
    by_priority: {},
    completed_total: 40,
    failed_total: 1,
    cancelled_total: 0,
    end_to_end: { p50_ms: 20, p95_ms: 100, p99_ms: 250, count: 41 },
    queue_wait: { p50_ms: 5, p95_ms: 10, p99_ms: 20, count: 41 },
    run_time: { p50_ms: 10, p95_ms: 50, p99_ms: 90, count: 41 },
    delayed_count: 1,
    queued_count: 2,
    ...over,
  };
}

export function queue(over: Partial<QueueInfo> = {}): QueueInfo {
  return {
    queue: 'default',
    paused: false,
    max_concurrency: 0,
    rate_per_second: 0,
    burst: 0,
    queued: 2,
    delayed: 1,
    running: 2,
    queued_by_priority: { '5': 2 },
    worker_slots: 32,
    updated_at: 0,
    ...over,
  };
}

export function worker(over: Partial<Worker> = {}): Worker {
  return {
    worker_id: 'dev-worker-1',
    queues: ['default'],
    slots: 16,
    busy: 4,
    last_heartbeat_at: 1_700_000_000_000,
    started_at: 1_699_999_000_000,
    host: 'vm',
    state: 'ACTIVE',
    ...over,
  };
}
