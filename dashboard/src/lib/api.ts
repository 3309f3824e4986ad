import type {
  QueueInfo,
  Session,
  Stats,
  SubmitRequest,
  SubmitResponse,
  Task,
  TaskEvent,
  TaskList,
  Worker,
} from './types';

/** An answer of the gateway that is not a success, or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly field?: string;

  constructor(status: number, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field || undefined;
  }

  /** A short headline for the status, for people rather than machines. */
  get title(): string {
    switch (this.status) {
      case 0:
        return 'Gateway unreachable';
      case 400:
        return 'Invalid input';
      case 401:
        return 'Login required';
      case 403:
        return 'Not allowed for this key';
      case 404:
        return 'Not found';
      case 405:
        return 'Not allowed';
      case 409:
        return 'Not possible in the current state';
      case 413:
        return 'Payload too large';
      case 429:
        return 'Too many requests';
      case 503:
        return 'Service unavailable';
      default:
        return this.status >= 500 ? 'Server error' : `Request failed (${this.status})`;
    }
  }
}

/** Fired on window when the gateway answers 401 to an API call: the session ended or is missing. */
export const UNAUTHORIZED_EVENT = 'taskqueue:unauthorized';

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init?.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, `Cannot reach the gateway (${e instanceof Error ? e.message : e}).`);
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/api/session') && typeof window !== 'undefined') {
      window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    }
    const b = (body ?? {}) as { error?: string; field?: string };
    const message =
      b.error ??
      (res.status === 503
        ? 'The gateway cannot reach Kafka right now; nothing was written. Try again shortly.'
        : res.status === 429
          ? 'The gateway is rate limiting requests; try again in a moment.'
          : `HTTP ${res.status} ${res.statusText}`.trim());
    throw new ApiError(res.status, message, b.field);
  }
  return body as T;
}

export interface TaskQuery {
  queue?: string;
  status?: string;
  priority?: number | string;
  limit?: number;
  offset?: number;
  cursor?: string;
}

export function queryString(q: object): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const api = {
  listTasks: (q: TaskQuery = {}) => request<TaskList>(`/api/tasks${queryString(q)}`),
  getTask: (id: string) => request<Task>(`/api/tasks/${enc(id)}`),
  getEvents: (id: string) =>
    request<{ events: TaskEvent[] }>(`/api/tasks/${enc(id)}/events`).then((r) => r.events ?? []),
  cancel: (id: string) => request<unknown>(`/api/tasks/${enc(id)}/cancel`, { method: 'POST' }),
  retry: (id: string) => request<unknown>(`/api/tasks/${enc(id)}/retry`, { method: 'POST' }),
  submit: (body: SubmitRequest) =>
    request<SubmitResponse>('/api/submit', { method: 'POST', body: JSON.stringify(body) }),
  stats: (queue?: string) => request<Stats>(`/api/stats${queryString({ queue })}`),
  queues: () => request<{ queues: QueueInfo[] }>('/api/queues').then((r) => r.queues ?? []),
  pause: (q: string) => request<unknown>(`/api/queues/${enc(q)}/pause`, { method: 'POST' }),
  resume: (q: string) => request<unknown>(`/api/queues/${enc(q)}/resume`, { method: 'POST' }),
  setLimits: (
    q: string,
    limits: { max_concurrency: number; rate_per_second: number; burst: number },
  ) =>
    request<unknown>(`/api/queues/${enc(q)}/limits`, {
      method: 'PUT',
      body: JSON.stringify(limits),
    }),
  workers: () => request<{ workers: Worker[] }>('/api/workers').then((r) => r.workers ?? []),
  session: () => request<Session>('/api/session'),
  login: (apiKey: string) =>
    request<Session>('/api/session', {
      method: 'POST',
      body: JSON.stringify({ api_key: apiKey }),
    }),
  logout: () => request<unknown>('/api/session', { method: 'DELETE' }),
};

export function errorOf(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(-1, e instanceof Error ? e.message : String(e));
}
