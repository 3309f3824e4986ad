import { jsonError, mockFetch, event, task } from '@/test/helpers';
import { api, ApiError, errorOf, queryString } from './api';
import { fmtAgo, fmtDuration, fmtNumber, prettyJson, shortId } from './format';
import { applyEvents, matches } from './tasks';

describe('api', () => {
  it('builds query strings without empty values', () => {
    expect(queryString({ queue: 'a b', status: '', priority: 0, limit: undefined })).toBe(
      '?queue=a+b&priority=0',
    );
    expect(queryString({})).toBe('');
  });
  it('turns error bodies into ApiError with field', async () => {
    mockFetch({ 'POST /api/submit': () => jsonError(400, 'bad priority', 'priority') });
    const e = await api.submit({ priority: 11 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, message: 'bad priority', field: 'priority' });
  });
  it('explains a 503 without a body', async () => {
    mockFetch({ 'GET /api/stats': () => new Response('', { status: 503 }) });
    const e = (await api.stats().catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(503);
    expect(e.message).toMatch(/cannot reach Kafka/);
  });
  it('reports a network failure as status 0', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const e = (await api.workers().catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(0);
    expect(e.title).toBe('Gateway unreachable');
  });
  it('sends JSON with the right method and path', async () => {
    const f = mockFetch({
      'PUT /api/queues/my%20q/limits': () => ({}),
      'POST /api/tasks/t1/retry': () => ({}),
      'GET /api/tasks': (url) => ({ tasks: [], total: Number(url.searchParams.get('limit')) }),
    });
    await api.setLimits('my q', { max_concurrency: 1, rate_per_second: 2, burst: 3 });
    expect(JSON.parse(String(f.mock.calls[0][1]?.body))).toEqual({
      max_concurrency: 1,
      rate_per_second: 2,
      burst: 3,
    });
    await api.retry('t1');
    expect((await api.listTasks({ limit: 7, status: 'FAILED' })).total).toBe(7);
    expect(String(f.mock.calls[2][0])).toBe('/api/tasks?limit=7&status=FAILED');
  });
  it('errorOf wraps anything', () => {
    expect(errorOf(new Error('x')).message).toBe('x');
    expect(errorOf('y').message).toBe('y');
  });
});

describe('format', () => {
  it('durations', () => {
    expect(fmtDuration(12.4)).toBe('12 ms');
    expect(fmtDuration(1500)).toBe('1.50 s');
    expect(fmtDuration(75_000)).toBe('1 min 15 s');
    expect(fmtDuration(7_260_000)).toBe('2 h 1 min');
    expect(fmtDuration(undefined)).toBe('—');
  });
  it('ago, numbers, ids, json', () => {
    expect(fmtAgo(0)).toBe('never');
    expect(fmtAgo(1000, 1500)).toBe('just now');
    expect(fmtAgo(1000, 4000)).toBe('3.00 s ago');
    expect(fmtNumber(1234.567, 1)).toBe('1,234.6');
    expect(shortId('6f1c2d3e-aaaa')).toBe('6f1c2d3e');
    expect(prettyJson('[1]')).toBe('[\n  1\n]');
    expect(prettyJson('x')).toBe('x');
  });
});

describe('applyEvents', () => {
  const a = task({ task_id: 'a', version: 1 });
  it('updates rows with newer versions only', () => {
    const newer = task({ task_id: 'a', version: 3, status: 'SUCCESS' });
    const older = task({ task_id: 'a', version: 2, status: 'RUNNING' });
    const r = applyEvents([a], [event({ task: newer }), event({ task: older })], {}, true, 10);
    expect(r.rows[0].status).toBe('SUCCESS');
    expect(r.added).toBe(0);
  });
  it('adds matching new tasks on the first page only', () => {
    const b = task({ task_id: 'b', queue: 'emails' });
    const c = task({ task_id: 'c', queue: 'default' });
    const r = applyEvents(
      [a],
      [event({ task: b }), event({ task: c })],
      { queue: 'default' },
      true,
      10,
    );
    expect(r.rows.map((t) => t.task_id)).toEqual(['c', 'a']);
    expect(applyEvents([a], [event({ task: c })], {}, false, 10).rows).toHaveLength(1);
    expect(applyEvents([a], [event({ task: c })], {}, true, 1).rows.map((t) => t.task_id)).toEqual([
      'c',
    ]);
  });
  it('keeps the same array when nothing changes', () => {
    const rows = [a];
    expect(applyEvents(rows, [event({ task: a })], {}, false, 10).rows).toBe(rows);
  });
  it('matches filters', () => {
    expect(matches(task({ priority: 9 }), { priority: '9' })).toBe(true);
    expect(matches(task({ priority: 9 }), { priority: 8 })).toBe(false);
    expect(matches(task({ status: 'FAILED' }), { status: 'QUEUED' })).toBe(false);
  });
});
