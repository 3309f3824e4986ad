import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { LiveProvider } from '@/lib/live';
import {
  MockEventSource,
  event,
  jsonError,
  mockFetch,
  queue,
  stats,
  task,
  worker,
} from '@/test/helpers';
import { FailedView } from './FailedView';
import { OverviewView } from './OverviewView';
import { QueuesView } from './QueuesView';
import { SubmitView } from './SubmitView';
import { TasksView } from './TasksView';
import { TaskView } from './TaskView';

const nav = vi.hoisted(() => ({
  params: new URLSearchParams(),
  replace: vi.fn(),
  push: vi.fn(),
}));
vi.mock('next/navigation', () => ({
  useSearchParams: () => nav.params,
  useRouter: () => ({ replace: nav.replace, push: nav.push }),
  usePathname: () => '/',
}));

const withLive = (ui: ReactNode) =>
  render(
    <LiveProvider pollMs={10_000} retryStreamMs={10_000} openTimeoutMs={10_000}>
      {ui}
    </LiveProvider>,
  );

const base = {
  'GET /api/stats': () => stats(),
  'GET /api/queues': () => ({ queues: [queue()] }),
  'GET /api/workers': () => ({ workers: [worker()] }),
};

beforeEach(() => {
  MockEventSource.install();
  nav.params = new URLSearchParams();
  nav.replace.mockReset();
  nav.push.mockReset();
});

describe('TasksView', () => {
  it('lists tasks and updates rows live from the stream', async () => {
    const t = task({ task_id: 'aaaaaaaa-0000-4000-8000-000000000001', status: 'QUEUED' });
    const f = mockFetch({ ...base, 'GET /api/tasks': () => ({ tasks: [t], total: 1 }) });
    const reads = () => f.mock.calls.filter((c) => String(c[0]).startsWith('/api/tasks')).length;
    withLive(<TasksView />);
    const link = await screen.findByRole('link', { name: 'aaaaaaaa' });
    const row = link.closest('tr')!;
    expect(row).toHaveAttribute('data-status', 'QUEUED');
    const es = MockEventSource.latest();
    act(() => es.open());
    // (re)opening the stream re-reads the list once
    await waitFor(() => expect(reads()).toBe(2));
    act(() =>
      es.emit(
        'task',
        event({ transition: 'SUCCEEDED', task: { ...t, status: 'SUCCESS', version: 4 } }),
      ),
    );
    await waitFor(() =>
      expect(screen.getByRole('link', { name: 'aaaaaaaa' }).closest('tr')).toHaveAttribute(
        'data-status',
        'SUCCESS',
      ),
    );
    const fresh = task({ task_id: 'bbbbbbbb-0000-4000-8000-000000000002' });
    act(() => es.emit('task', event({ task: fresh })));
    expect(await screen.findByRole('link', { name: 'bbbbbbbb' })).toBeInTheDocument();
    expect(screen.getByText('2 matching')).toBeInTheDocument();
  });

  it('passes filters from the URL and pages with the cursor', async () => {
    nav.params = new URLSearchParams('queue=emails&status=FAILED');
    const f = mockFetch({
      ...base,
      'GET /api/tasks': (url) =>
        url.searchParams.get('cursor') === 'c2'
          ? { tasks: [task({ task_id: 'page-2' })], total: 2 }
          : { tasks: [task({ task_id: 'page-1' })], total: 2, next_cursor: 'c2' },
    });
    withLive(<TasksView />);
    await screen.findByRole('link', { name: 'page-1' });
    const listCall = f.mock.calls.map((c) => String(c[0])).find((u) => u.startsWith('/api/tasks'));
    expect(listCall).toContain('queue=emails');
    expect(listCall).toContain('status=FAILED');
    fireEvent.click(screen.getByRole('button', { name: 'Older →' }));
    await screen.findByRole('link', { name: 'page-2' });
    expect(screen.getByRole('button', { name: 'Older →' })).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: '← Newer' }));
    await screen.findByRole('link', { name: 'page-1' });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: '' } });
    expect(nav.replace).toHaveBeenCalledWith('/tasks/?queue=emails');
    fireEvent.change(screen.getByLabelText('Task id'), { target: { value: 'xyz' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(nav.push).toHaveBeenCalledWith('/task/?id=xyz');
  });

  it('shows an API error', async () => {
    mockFetch({ ...base, 'GET /api/tasks': () => jsonError(503, 'Kafka unreachable') });
    withLive(<TasksView />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Kafka unreachable');
  });
});

describe('TaskView', () => {
  const id = 'cccccccc-0000-4000-8000-000000000003';
  it('asks for an id when there is none', () => {
    mockFetch(base);
    withLive(<TaskView />);
    expect(screen.getByText(/No task id given/)).toBeInTheDocument();
  });

  it('shows fields and timeline, adds streamed transitions, cancels', async () => {
    nav.params = new URLSearchParams(`id=${id}`);
    const running = task({ task_id: id, status: 'RUNNING', attempt: 1, version: 2 });
    const cancel = vi.fn(() => new Response('{}', { status: 202 }));
    mockFetch({
      ...base,
      [`GET /api/tasks/${id}`]: () => running,
      [`GET /api/tasks/${id}/events`]: () => ({
        events: [
          event({ task: { ...running, status: 'QUEUED', version: 1 }, transition: 'SUBMITTED' }),
          event({ task: running, transition: 'DISPATCHED', from_status: 'QUEUED' }),
        ],
      }),
      [`POST /api/tasks/${id}/cancel`]: cancel,
    });
    withLive(<TaskView />);
    await screen.findByText('DISPATCHED');
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    const es = MockEventSource.latest();
    act(() => es.open());
    const done = { ...running, status: 'CANCELLED' as const, version: 3 };
    act(() =>
      es.emit(
        'task',
        event({ task: done, transition: 'CANCELLED', from_status: 'RUNNING', reason: 'by user' }),
      ),
    );
    await screen.findByText('by user');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel' })).toBeDisabled());
    expect(screen.getByRole('button', { name: 'Retry' })).toBeEnabled();
  });

  it('shows a refused action', async () => {
    nav.params = new URLSearchParams(`id=${id}`);
    mockFetch({
      ...base,
      [`GET /api/tasks/${id}`]: () => task({ task_id: id, status: 'QUEUED' }),
      [`GET /api/tasks/${id}/events`]: () => ({ events: [] }),
      [`POST /api/tasks/${id}/cancel`]: () => jsonError(409, 'already finished', 'task_id'),
    });
    withLive(<TaskView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('already finished');
  });

  it('shows a 404', async () => {
    nav.params = new URLSearchParams(`id=${id}`);
    mockFetch({
      ...base,
      [`GET /api/tasks/${id}`]: () => jsonError(404, 'Unknown task'),
      [`GET /api/tasks/${id}/events`]: () => jsonError(404, 'Unknown task'),
    });
    withLive(<TaskView />);
    expect((await screen.findAllByRole('alert'))[0]).toHaveTextContent('Not found');
  });
});

describe('FailedView', () => {
  const f1 = task({ task_id: 'f1', status: 'FAILED', error: 'boom' });
  const f2 = task({ task_id: 'f2', status: 'FAILED', error: 'bang' });
  it('empty', async () => {
    mockFetch({ ...base, 'GET /api/tasks': () => ({ tasks: [], total: 0 }) });
    withLive(<FailedView />);
    expect(await screen.findByText(/No failed tasks/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry all matching…' })).toBeDisabled();
  });

  it('retries the selected tasks', async () => {
    const retried: string[] = [];
    const f = mockFetch({
      ...base,
      'GET /api/tasks': () => ({ tasks: [f1, f2], total: 2 }),
      'POST /api/tasks/f1/retry': () => (retried.push('f1'), {}),
      'POST /api/tasks/f2/retry': () => (retried.push('f2'), {}),
    });
    withLive(<FailedView />);
    expect(await screen.findByText('boom')).toBeInTheDocument();
    expect(f.mock.calls.some((c) => String(c[0]).includes('status=FAILED'))).toBe(true);
    fireEvent.click(screen.getByLabelText('Select task f2'));
    fireEvent.click(screen.getByRole('button', { name: 'Retry selected (1)' }));
    expect(await screen.findByText('Retried 1 of 1')).toBeInTheDocument();
    expect(retried).toEqual(['f2']);
  });

  it('retries all matching after a confirmation, and reports refusals', async () => {
    const retried: string[] = [];
    mockFetch({
      ...base,
      'GET /api/tasks': () => ({ tasks: [f1, f2], total: 2 }),
      'POST /api/tasks/f1/retry': () => (retried.push('f1'), {}),
      'POST /api/tasks/f2/retry': () => jsonError(409, 'not failed any more', 'task_id'),
    });
    withLive(<FailedView />);
    await screen.findByText('boom');
    fireEvent.click(screen.getByRole('button', { name: 'Retry all matching…' }));
    expect(screen.getByText(/Retry all 2 failed tasks/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, retry all' }));
    expect(await screen.findByText('Retried 1 of 2, 1 refused')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('not failed any more');
    expect(retried).toEqual(['f1']);
  });
});

describe('SubmitView', () => {
  it('submits and follows the new task live', async () => {
    const id = 'dddddddd-0000-4000-8000-000000000004';
    mockFetch({
      ...base,
      'POST /api/submit': () => ({ task_id: id, status: 'QUEUED' }),
      [`GET /api/tasks/${id}`]: () => task({ task_id: id, status: 'QUEUED', version: 1 }),
    });
    withLive(<SubmitView />);
    expect(screen.getByText('Nothing submitted yet.')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    await screen.findByTestId('submit-result');
    const table = await screen.findByRole('table');
    expect(within(table).getByRole('link', { name: 'dddddddd' })).toBeInTheDocument();
    const es = MockEventSource.latest();
    act(() => es.open());
    act(() =>
      es.emit('task', event({ task: task({ task_id: id, status: 'SUCCESS', version: 4 }) })),
    );
    await waitFor(() => expect(within(table).getByText('SUCCESS')).toBeInTheDocument());
  });
});

describe('OverviewView', () => {
  it('shows counters, queues and workers', async () => {
    mockFetch(base);
    withLive(<OverviewView />);
    expect(await screen.findByText('dev-worker-1')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByText('Completed today').parentElement).toHaveTextContent('40'),
    );
    expect(screen.getByText('Latency p99').parentElement).toHaveTextContent('250 ms');
    expect(screen.getByText('Throughput (last minute)').parentElement).toHaveTextContent('1.5/s');
    expect(screen.getByRole('link', { name: 'default' })).toBeInTheDocument();
    expect(screen.getAllByText('Collecting data…')).toHaveLength(3);
  });
  it('loading shows placeholders; worker errors are shown', async () => {
    mockFetch({
      'GET /api/stats': () => new Promise(() => undefined),
      'GET /api/queues': () => new Promise(() => undefined),
      'GET /api/workers': () => jsonError(503, 'Kafka unreachable'),
    });
    withLive(<OverviewView />);
    expect(screen.getAllByLabelText('loading').length).toBeGreaterThan(3);
    expect(screen.getByText('Loading queues…')).toBeInTheDocument();
    expect(await screen.findByRole('alert')).toHaveTextContent('Workers: Service unavailable');
  });
});

describe('QueuesView', () => {
  it('pauses a queue through the API', async () => {
    const pause = vi.fn(() => ({}));
    mockFetch({ ...base, 'POST /api/queues/default/pause': pause });
    withLive(<QueuesView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Pause default' }));
    await waitFor(() => expect(pause).toHaveBeenCalled());
    expect(await screen.findByRole('button', { name: 'Resume default' })).toBeInTheDocument();
  });
});
