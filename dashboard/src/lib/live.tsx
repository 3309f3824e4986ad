'use client';

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { api } from './api';
import type { QueueInfo, Stats, StatsTick, TaskEvent } from './types';

export type Connection = 'connecting' | 'live' | 'polling' | 'offline';

/** One point of the overview charts, kept in the browser from the stats ticks. */
export interface Sample {
  at: number;
  /** Tasks finished per second since the previous sample (falls back to the last-minute rate). */
  throughput: number;
  p50: number;
  p99: number;
  queued: number;
  delayed: number;
  running: number;
}

export interface LiveValue {
  connection: Connection;
  stats?: Stats;
  queues?: QueueInfo[];
  history: Sample[];
  updatedAt?: number;
  /** Grows whenever pages should re-read what they show: each poll, and each stream (re)open. */
  refreshTick: number;
  subscribe: (fn: (events: TaskEvent[]) => void) => () => void;
}

const LiveContext = createContext<LiveValue | null>(null);

export interface LiveProviderProps {
  children: ReactNode;
  streamUrl?: string;
  pollMs?: number;
  retryStreamMs?: number;
  openTimeoutMs?: number;
  /** A live stream that sends no stats tick for this long is considered stalled. */
  stallMs?: number;
  historyMs?: number;
}

function finished(s: Stats): number | undefined {
  if (s.completed_total === undefined) return undefined;
  return (s.completed_total ?? 0) + (s.failed_total ?? 0) + (s.cancelled_total ?? 0);
}

export function nextSample(
  prev: Sample | undefined,
  prevStats: Stats | undefined,
  tick: StatsTick,
): Sample {
  const s = tick.stats;
  let throughput = s.throughput_per_sec ?? 0;
  const now = finished(s);
  const before = prevStats ? finished(prevStats) : undefined;
  if (prev && now !== undefined && before !== undefined && tick.at > prev.at) {
    throughput = Math.max(0, (now - before) / ((tick.at - prev.at) / 1000));
  }
  return {
    at: tick.at,
    throughput,
    p50: s.end_to_end?.p50_ms ?? 0,
    p99: s.end_to_end?.p99_ms ?? s.p99_latency_ms ?? 0,
    queued: s.queued_count ?? s.pending_count ?? 0,
    delayed: s.delayed_count ?? 0,
    running: s.running_count ?? 0,
  };
}

export function LiveProvider({
  children,
  streamUrl = '/api/stream',
  pollMs = 2000,
  retryStreamMs = 10_000,
  openTimeoutMs = 5000,
  stallMs = 10_000,
  historyMs = 5 * 60_000,
}: LiveProviderProps) {
  const [connection, setConnection] = useState<Connection>('connecting');
  const [tick, setTick] = useState<StatsTick | undefined>(undefined);
  const [history, setHistory] = useState<Sample[]>([]);
  const [refreshTick, setRefreshTick] = useState(0);
  const subscribers = useRef(new Set<(events: TaskEvent[]) => void>());
  const lastStats = useRef<Stats | undefined>(undefined);
  const lastSample = useRef<Sample | undefined>(undefined);

  const applyTick = useCallback(
    (t: StatsTick) => {
      const sample = nextSample(lastSample.current, lastStats.current, t);
      lastSample.current = sample;
      lastStats.current = t.stats;
      setTick(t);
      setHistory((h) => {
        const cutoff = t.at - historyMs;
        const kept = h.filter((x) => x.at >= cutoff && x.at < t.at);
        kept.push(sample);
        return kept;
      });
    },
    [historyMs],
  );

  useEffect(() => {
    let disposed = false;
    let es: EventSource | null = null;
    let pollTimer: ReturnType<typeof setInterval> | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let openTimer: ReturnType<typeof setTimeout> | undefined;
    let stallTimer: ReturnType<typeof setInterval> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let buffer: TaskEvent[] = [];
    let live = false;
    let lastTickAt = 0;

    const flush = () => {
      flushTimer = undefined;
      const events = buffer;
      buffer = [];
      for (const fn of subscribers.current) fn(events);
    };

    const poll = async () => {
      try {
        const [stats, queues] = await Promise.all([api.stats(), api.queues()]);
        if (disposed || live) return;
        applyTick({ at: Date.now(), stats, queues });
        setConnection('polling');
        setRefreshTick((n) => n + 1);
      } catch {
        if (!disposed && !live) setConnection('offline');
      }
    };

    const startPolling = () => {
      if (pollTimer !== undefined || disposed) return;
      void poll();
      pollTimer = setInterval(poll, pollMs);
    };
    const stopPolling = () => {
      if (pollTimer !== undefined) clearInterval(pollTimer);
      pollTimer = undefined;
    };

    const dropStream = () => {
      live = false;
      es?.close();
      es = null;
      if (stallTimer !== undefined) clearInterval(stallTimer);
      stallTimer = undefined;
      if (openTimer !== undefined) clearTimeout(openTimer);
      openTimer = undefined;
      if (retryTimer === undefined && !disposed) {
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          connect();
        }, retryStreamMs);
      }
      startPolling();
    };

    const connect = () => {
      if (disposed) return;
      if (typeof EventSource === 'undefined') {
        startPolling();
        return;
      }
      const source = new EventSource(streamUrl);
      es = source;
      openTimer = setTimeout(() => {
        // Not open yet (a proxy holding the request, say): show data by polling meanwhile.
        if (!live) startPolling();
      }, openTimeoutMs);
      source.onopen = () => {
        if (es !== source) return;
        live = true;
        lastTickAt = Date.now();
        stopPolling();
        setConnection('live');
        setRefreshTick((n) => n + 1);
        if (stallTimer === undefined) {
          stallTimer = setInterval(
            () => {
              if (live && Date.now() - lastTickAt > stallMs) dropStream();
            },
            Math.max(250, stallMs / 4),
          );
        }
      };
      source.addEventListener('stats', (e) => {
        if (es !== source) return;
        lastTickAt = Date.now();
        try {
          applyTick(JSON.parse((e as MessageEvent<string>).data) as StatsTick);
        } catch {
          // a malformed tick is skipped; the next one comes in a second
        }
      });
      source.addEventListener('task', (e) => {
        if (es !== source) return;
        try {
          buffer.push(JSON.parse((e as MessageEvent<string>).data) as TaskEvent);
        } catch {
          return;
        }
        if (flushTimer === undefined) flushTimer = setTimeout(flush, 100);
      });
      source.onerror = () => {
        if (es !== source) return;
        if (source.readyState === EventSource.CLOSED) {
          dropStream();
        } else {
          // The browser reconnects by itself; poll until it is back.
          live = false;
          startPolling();
        }
      };
    };

    // First figures right away, whatever the stream does.
    void api
      .stats()
      .then(async (stats) => {
        const queues = await api.queues();
        if (!disposed && lastStats.current === undefined)
          applyTick({ at: Date.now(), stats, queues });
      })
      .catch(() => undefined);
    connect();

    return () => {
      disposed = true;
      es?.close();
      stopPolling();
      for (const t of [retryTimer, openTimer, flushTimer]) if (t !== undefined) clearTimeout(t);
      if (stallTimer !== undefined) clearInterval(stallTimer);
    };
  }, [streamUrl, pollMs, retryStreamMs, openTimeoutMs, stallMs, applyTick]);

  const subscribe = useCallback((fn: (events: TaskEvent[]) => void) => {
    subscribers.current.add(fn);
    return () => {
      subscribers.current.delete(fn);
    };
  }, []);

  const value = useMemo<LiveValue>(
    () => ({
      connection,
      stats: tick?.stats,
      queues: tick?.queues,
      updatedAt: tick?.at,
      history,
      refreshTick,
      subscribe,
    }),
    [connection, tick, history, refreshTick, subscribe],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

const OFFLINE: LiveValue = {
  connection: 'offline',
  history: [],
  refreshTick: 0,
  subscribe: () => () => undefined,
};

export function useLive(): LiveValue {
  return useContext(LiveContext) ?? OFFLINE;
}

/** Calls fn with each batch of task transitions from the stream (latest fn, no resubscribe). */
export function useTaskEvents(fn: (events: TaskEvent[]) => void): void {
  const { subscribe } = useLive();
  const ref = useRef(fn);
  useEffect(() => {
    ref.current = fn;
  });
  useEffect(() => subscribe((events) => ref.current(events)), [subscribe]);
}
