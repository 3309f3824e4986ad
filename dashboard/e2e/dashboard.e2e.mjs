// Browser tests of the dashboard against the real system: starts `./taskqueue dev` on ports of its
// own (not the defaults other engineers use), drives Debian's chromium with playwright-core, and
// stops the system by its process group at the end, also when a test fails.
//
//   npm run build && npm run e2e          (the gateway serves dashboard/out)
//   E2E_UPDATE_DOCS=1 npm run e2e         (also refreshes docs/dashboard.png)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const DASHBOARD = resolve(HERE, '..');
const REPO = resolve(DASHBOARD, '..');
const RESULTS = join(DASHBOARD, 'test-results');
const PORT = Number(process.env.E2E_HTTP_PORT ?? 18080);
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const READY_TIMEOUT_MS = Number(process.env.E2E_READY_TIMEOUT_MS ?? 240_000);
const STEP = 20_000; // longest wait for one visible condition

mkdirSync(RESULTS, { recursive: true });

let dev; // the ./taskqueue dev process (leader of its own process group)
let dataDir;
let browser;
let page;
let monitor;
let load; // background submits, so the overview has something to draw
const t0 = Date.now();

function log(...args) {
  console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...args);
}

async function api(path, init = {}) {
  const res = await fetch(BASE + path, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return body;
}

const submit = (body) => api('/api/submit', { method: 'POST', body: JSON.stringify(body) });

/** Polls fn until it returns a truthy value (bounded); for conditions outside the page. */
async function until(what, fn, timeoutMs = STEP, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
}

async function shot(name, p = page) {
  await p.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

function stopDev() {
  if (!dev || dev.exitCode !== null || dev.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const hard = setTimeout(() => {
      try {
        process.kill(-dev.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 20_000);
    dev.once('exit', () => {
      clearTimeout(hard);
      done();
    });
    try {
      process.kill(-dev.pid, 'SIGTERM');
    } catch {
      clearTimeout(hard);
      done();
    }
  });
}

// If the runner itself is interrupted, do not leave the system running.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    if (dev?.pid) {
      try {
        process.kill(-dev.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  assert.ok(
    existsSync(join(DASHBOARD, 'out', 'index.html')),
    'dashboard/out is missing: run `npm run build` first',
  );
  dataDir = mkdtempSync(join(tmpdir(), 'taskqueue-e2e-'));
  const out = createWriteStream(join(RESULTS, 'dev.log'));
  const args = [
    'dev',
    '--fresh',
    '--data-dir',
    dataDir,
    '--http-port',
    String(PORT),
    '--grpc-port',
    process.env.E2E_GRPC_PORT ?? '15051',
    '--metrics-port',
    process.env.E2E_METRICS_PORT ?? '19090',
    '--iq-port',
    process.env.E2E_IQ_PORT ?? '18081',
    '--kafka-port',
    process.env.E2E_KAFKA_PORT ?? '19092',
  ];
  log(`starting ./taskqueue ${args.join(' ')} (log: test-results/dev.log)`);
  dev = spawn(join(REPO, 'taskqueue'), args, {
    cwd: REPO,
    detached: true, // its own process group, so stopping it stops Maven or the JVM under it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TASKQUEUE_HEAP: process.env.TASKQUEUE_HEAP ?? '1g',
      // Read models of its own: --fresh empties them, and must not empty a developer's dev run.
      PROJECTION_SCHEMA: 'taskqueue_e2e',
      REDIS_KEY_PREFIX: 'taskqueue-e2e:',
    },
  });
  dev.stdout.pipe(out);
  dev.stderr.pipe(out);
  await until(
    `GET ${BASE}/readyz to answer 200`,
    async () => {
      if (dev.exitCode !== null) {
        const tail = (await readFile(join(RESULTS, 'dev.log'), 'utf8')).split('\n').slice(-30);
        throw new Error(`./taskqueue dev exited with ${dev.exitCode}:\n${tail.join('\n')}`);
      }
      const res = await fetch(`${BASE}/readyz`).catch(() => undefined);
      return res?.status === 200;
    },
    READY_TIMEOUT_MS,
    500,
  ).catch(async (e) => {
    if (dev.exitCode !== null) throw new Error(String(e.message).replace(/^.*?: /, ''));
    throw e;
  });
  log('system ready');

  // Steady light load for the charts: a few quick tasks a second at mixed priorities.
  let n = 0;
  load = setInterval(() => {
    n++;
    submit({ queue: 'default', payload: { n }, priority: n % 11 }).catch(() => undefined);
    if (n % 3 === 0) submit({ payload: { delay_ms: 800 } }).catch(() => undefined);
  }, 250);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(STEP);
  page = await context.newPage();
  page.on('pageerror', (e) => log('page error:', e.message));
  // An overview left open for the whole run: its charts collect the ticks (screenshot at the end).
  monitor = await context.newPage();
  await monitor.goto(`${BASE}/`);
});

after(async () => {
  clearInterval(load);
  await browser?.close().catch(() => undefined);
  await stopDev();
  log(`stopped ./taskqueue dev (pid ${dev?.pid})`);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const row = (id, status) =>
  page.locator(`tr[data-task-id="${id}"]${status ? `[data-status="${status}"]` : ''}`);

describe('dashboard on ./taskqueue dev', () => {
  it('is served by the gateway at / and goes live over the stream', async () => {
    const html = await (await fetch(`${BASE}/`)).text();
    assert.match(html, /taskqueue/);
    await page.goto(`${BASE}/`);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('tr[data-queue="default"]').waitFor();
    await page.getByText('dev-worker-1').waitFor();
  });

  it('submits from the form and the row goes QUEUED/RUNNING -> SUCCESS without a reload', async () => {
    await page.getByRole('link', { name: 'Submit', exact: true }).click();
    await page.getByRole('heading', { name: 'Submit a task' }).waitFor();
    await page.evaluate(() => {
      window.__noReload = true;
    });
    await page.getByLabel(/^Payload/).fill('{"delay_ms": 1500, "from": "e2e"}');
    await page.getByLabel(/^Priority/).fill('9');
    await page.getByRole('button', { name: 'Submit task' }).click();
    const result = page.getByTestId('submit-result');
    await result.waitFor();
    const id = (await result.locator('a').textContent()).trim();
    log('submitted from the form:', id);
    await row(id, 'RUNNING').waitFor();
    await row(id, 'SUCCESS').waitFor();
    await shot('submit');

    // The Tasks page (client-side navigation) follows new tasks live as well.
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await row(id).waitFor();
    const { task_id: second } = await submit({ payload: { delay_ms: 1500 }, priority: 10 });
    await row(second, 'RUNNING').waitFor();
    await row(second, 'SUCCESS').waitFor();
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page reloaded');
    await shot('tasks');
  });

  it('shows API errors with the field', async () => {
    await page.goto(`${BASE}/submit/`);
    await page.getByLabel(/^Priority/).fill('11');
    await page.getByRole('button', { name: 'Submit task' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('Field: priority').waitFor();
    assert.equal(await page.getByLabel(/^Priority/).getAttribute('aria-invalid'), 'true');
    await shot('submit-error');
  });

  it('cancels a running task from its page and shows the timeline', async () => {
    const { task_id: id } = await submit({ payload: { delay_ms: 20_000 } });
    await page.goto(`${BASE}/task/?id=${id}`);
    await page.locator('[data-testid="task-status"][data-status="RUNNING"]').waitFor();
    await page.locator('[data-transition="STARTED"]').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-testid="task-status"][data-status="CANCELLED"]').waitFor();
    await page.locator('[data-transition="CANCELLED"]').waitFor();
    const transitions = await page
      .locator('[data-transition]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-transition')));
    assert.deepEqual(transitions, ['SUBMITTED', 'DISPATCHED', 'STARTED', 'CANCELLED']);
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).isDisabled(), true);
    await shot('task-cancelled');
  });

  it('lists a failed task, inspects it and retries it', async () => {
    const { task_id: id } = await submit({ payload: { fail: true }, max_retries: 0 });
    await until(
      'the task to fail',
      async () => (await api(`/api/tasks/${id}`)).status === 'FAILED',
    );
    await page.goto(`${BASE}/failed/`);
    await row(id, 'FAILED').waitFor();
    await row(id).getByText('failed on purpose').first().waitFor();
    await shot('failed');
    await page.getByLabel(`Select task ${id}`).check();
    await page.getByRole('button', { name: /Retry selected \(1\)/ }).click();
    await page.getByText('Retried 1 of 1').waitFor();
    // It runs again (and fails again: the handler always fails), visible on its page.
    await row(id).getByRole('link').click();
    await page.locator('[data-transition="REQUEUED"]').waitFor();
    await page.getByText('Attempt 2', { exact: true }).waitFor();
    await page.locator('[data-testid="task-status"][data-status="FAILED"]').waitFor();
    await page.getByRole('note').getByText('failed on purpose').waitFor();
    // And retried once more from the detail page.
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Attempt 3', { exact: true }).waitFor();
    await shot('task-retried');
  });

  it('pauses a queue: submissions wait QUEUED until it is resumed', async () => {
    await page.goto(`${BASE}/queues/`);
    await page.getByRole('button', { name: 'Pause default' }).click();
    await until(
      'the engine to pause default',
      async () => (await api('/api/queues')).queues.find((q) => q.queue === 'default')?.paused,
    );
    await page.locator('section[data-queue="default"] .badge-paused').waitFor();
    const { task_id: id } = await submit({ payload: { paused: 'waits' }, priority: 10 });
    await page.goto(`${BASE}/tasks/?queue=default&status=QUEUED`);
    await row(id, 'QUEUED').waitFor();
    // Two more stats ticks with the queue paused: it is still waiting.
    await until('queued depth to show it', async () => {
      const q = (await api('/api/queues')).queues.find((x) => x.queue === 'default');
      return q.paused && q.queued >= 1;
    });
    assert.equal((await api(`/api/tasks/${id}`)).status, 'QUEUED');
    await page.goto(`${BASE}/queues/`);
    await shot('queues-paused');
    await page.getByRole('button', { name: 'Resume default' }).click();
    await page
      .locator('section[data-queue="default"]')
      .getByText('Resumed.', { exact: true })
      .waitFor();
    await until(
      'the engine to resume default',
      async () => !(await api('/api/queues')).queues.find((q) => q.queue === 'default')?.paused,
    );
    // The engine runs it once resumed (checked through the API first, so a failure here says
    // whether the engine or the page is behind) ...
    await until(
      `task ${id} to succeed after the resume`,
      async () => (await api(`/api/tasks/${id}`)).status === 'SUCCESS',
      30_000,
    ).catch(async (e) => {
      const t = await api(`/api/tasks/${id}`).catch(() => ({}));
      const q = await api('/api/queues').catch(() => ({}));
      throw new Error(`${e.message}; task: ${JSON.stringify(t)}; queues: ${JSON.stringify(q)}`);
    });
    // ... and its page shows it (the list may have moved on under the background load).
    await page.goto(`${BASE}/task/?id=${id}`);
    await page.locator('[data-testid="task-status"][data-status="SUCCESS"]').waitFor();
  });

  it('sets concurrency and rate limits', async () => {
    await page.goto(`${BASE}/queues/`);
    const card = page.locator('section[data-queue="default"]');
    await card.getByLabel('Max concurrency').fill('50');
    await card.getByLabel('Rate / s').fill('500');
    await card.getByLabel('Burst').fill('100');
    await card.getByRole('button', { name: 'Save limits' }).click();
    await card.getByText('Limits saved.').waitFor();
    await until('the limits to apply', async () => {
      const q = (await api('/api/queues')).queues.find((x) => x.queue === 'default');
      return q.max_concurrency === 50 && q.rate_per_second === 500;
    });
    await card.getByText('≤ 50 running, 500/s (burst 100)').waitFor();
    await api('/api/queues/default/limits', {
      method: 'PUT',
      body: JSON.stringify({ max_concurrency: 0, rate_per_second: 0, burst: 0 }),
    });
  });

  it('falls back to polling when the stream is unavailable', async () => {
    const context = page.context();
    const p = await context.newPage();
    await p.route('**/api/stream**', (route) => route.abort());
    await p.goto(`${BASE}/tasks/`);
    await p.locator('[data-testid="connection"][data-state="polling"]').waitFor();
    const { task_id: id } = await submit({ payload: { delay_ms: 300 } });
    await p.locator(`tr[data-task-id="${id}"][data-status="SUCCESS"]`).waitFor();
    await shot('polling', p);
    await p.close();
  });

  it('works at phone width, by keyboard, in the dark theme', async () => {
    // A context of its own, so the theme it picks does not carry over to the other tests.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    phone.setDefaultTimeout(STEP);
    const p = await phone.newPage();
    await p.goto(`${BASE}/tasks/`);
    await p.locator('tr[data-task-id]').first().waitFor();
    const overflow = await p.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at phone width`);
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await shot('phone-tasks', p);
    const toggle = p.getByRole('button', { name: /^Theme:/ });
    while ((await p.evaluate(() => document.documentElement.dataset.theme)) !== 'dark') {
      await toggle.click();
    }
    await p.goto(`${BASE}/`);
    assert.equal(await p.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await shot('phone-overview-dark', p);
    await phone.close();
  });

  it('draws the overview charts from the live ticks', async () => {
    await monitor.bringToFront();
    await monitor.locator('[data-testid="connection"][data-state="live"]').waitFor();
    await monitor.waitForFunction(
      () => document.querySelectorAll('figure.chart svg').length === 3,
      null,
      { timeout: STEP },
    );
    // The page has been open since the start: every line has many ticks by now.
    await until('twenty stats ticks', () =>
      monitor.evaluate(() =>
        [...document.querySelectorAll('figure.chart polyline')].every(
          (l) => (l.getAttribute('points') ?? '').split(' ').length >= 20,
        ),
      ),
    );
    await shot('overview', monitor);
    if (process.env.E2E_UPDATE_DOCS === '1') {
      copyFileSync(join(RESULTS, 'overview.png'), join(REPO, 'docs', 'dashboard.png'));
      log('updated docs/dashboard.png');
    }
    assert.ok(await monitor.getByTestId('connection').isVisible());
  });
});
