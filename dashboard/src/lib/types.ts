export const STATUSES = ['PENDING', 'QUEUED', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED'] as const;
export type Status = (typeof STATUSES)[number];
export const TERMINAL: readonly Status[] = ['SUCCESS', 'FAILED', 'CANCELLED'];

export interface RetryPolicy {
  initial_backoff_ms: number;
  multiplier: number;
  max_backoff_ms: number;
  jitter: number;
}

export interface Task {
  task_id: string;
  status: Status;
  queue: string;
  payload: string;
  priority: number;
  attempt: number;
  max_retries: number;
  result: string;
  error: string;
  created_at: number;
  updated_at: number;
  started_at: number;
  completed_at: number;
  queued_at?: number;
  run_at?: number;
  timeout_ms?: number;
  version?: number;
  idempotency_key?: string;
  task_type?: string;
  worker_id?: string;
  metadata?: Record<string, string>;
  labels?: Record<string, string>;
  retry_policy?: RetryPolicy;
}

export interface TaskEvent {
  task_id: string;
  version: number;
  transition: string;
  from_status: Status | '';
  to_status: Status;
  at: number;
  attempt: number;
  worker_id: string;
  reason: string;
  task?: Task;
}

export interface TaskList {
  tasks: Task[];
  total: number;
  next_cursor?: string;
}

export interface Percentiles {
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  count: number;
}

export interface Stats {
  pending_count: number;
  running_count: number;
  completed_today: number;
  failed_today: number;
  p99_latency_ms: number;
  throughput_per_sec: number;
  by_priority: Record<string, number>;
  completed_total?: number;
  failed_total?: number;
  cancelled_total?: number;
  queue_wait?: Percentiles;
  run_time?: Percentiles;
  end_to_end?: Percentiles;
  delayed_count?: number;
  queued_count?: number;
}

export interface QueueInfo {
  queue: string;
  paused: boolean;
  max_concurrency: number;
  rate_per_second: number;
  burst: number;
  queued: number;
  delayed: number;
  running: number;
  queued_by_priority: Record<string, number>;
  worker_slots: number;
  updated_at: number;
}

export interface Worker {
  worker_id: string;
  queues: string[];
  slots: number;
  busy: number;
  last_heartbeat_at: number;
  started_at: number;
  host: string;
  state: string;
}

export interface StatsTick {
  at: number;
  stats: Stats;
  queues: QueueInfo[];
}

export interface SubmitRequest {
  queue?: string;
  payload?: unknown;
  priority?: number;
  max_retries?: number;
  delay_ms?: number;
  idempotency_key?: string;
}

export interface SubmitResponse {
  task_id: string;
  status: Status;
  duplicate?: boolean;
}

/** GET/POST /api/session: who is logged in. With auth off every scope is granted. */
export interface Session {
  auth_enabled: boolean;
  name: string;
  scopes: string[];
  expires_at?: number;
}
