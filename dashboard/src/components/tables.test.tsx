import { fireEvent, render, screen, within } from '@testing-library/react';
import { ApiError } from '@/lib/api';
import { queue, task, worker } from '@/test/helpers';
import { QueueTable } from './QueueTable';
import { TaskTable } from './TaskTable';
import { WorkersTable } from './WorkersTable';

const NOW = 1_700_000_010_000;

describe('QueueTable', () => {
  it('loading', () => {
    render(<QueueTable />);
    expect(screen.getByText('Loading queues…')).toBeInTheDocument();
  });
  it('empty', () => {
    render(<QueueTable queues={[]} />);
    expect(screen.getByText(/No queues yet/)).toBeInTheDocument();
  });
  it('error', () => {
    render(<QueueTable error={new ApiError(503, 'Kafka is down')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Kafka is down');
  });
  it('data: state, depth by priority, limits', () => {
    render(
      <QueueTable
        queues={[
          queue(),
          queue({
            queue: 'emails',
            paused: true,
            queued_by_priority: { '9': 4, '1': 2, '3': 0 },
            max_concurrency: 2,
            rate_per_second: 5,
            burst: 10,
          }),
        ]}
      />,
    );
    const rows = screen.getAllByRole('row');
    expect(rows).toHaveLength(3);
    const emails = rows[2];
    expect(within(emails).getByText('PAUSED')).toBeInTheDocument();
    expect(within(emails).getByText('P9: 4')).toBeInTheDocument();
    expect(within(emails).queryByText('P3: 0')).not.toBeInTheDocument();
    expect(emails).toHaveTextContent('≤ 2 running, 5/s (burst 10)');
    expect(within(emails).getByRole('link', { name: 'emails' })).toHaveAttribute(
      'href',
      '/tasks/?queue=emails',
    );
    expect(within(rows[1]).getByText('ACTIVE')).toBeInTheDocument();
  });
});

describe('WorkersTable', () => {
  it('loading', () => {
    render(<WorkersTable now={NOW} />);
    expect(screen.getByText('Loading workers…')).toBeInTheDocument();
  });
  it('empty', () => {
    render(<WorkersTable workers={[]} now={NOW} />);
    expect(screen.getByText(/No workers registered/)).toBeInTheDocument();
  });
  it('error', () => {
    render(<WorkersTable error={new ApiError(0, 'network down')} now={NOW} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Gateway unreachable');
  });
  it('data: slots in use and heartbeat age', () => {
    render(<WorkersTable workers={[worker(), worker({ worker_id: 'w2', busy: 0 })]} now={NOW} />);
    const row = screen.getByText('dev-worker-1').closest('tr')!;
    expect(row).toHaveTextContent('4 / 16');
    expect(row).toHaveTextContent('10.0 s ago');
    expect(row).toHaveTextContent('ACTIVE');
  });
});

describe('TaskTable', () => {
  it('loading', () => {
    render(<TaskTable now={NOW} />);
    expect(screen.getByText('Loading tasks…')).toBeInTheDocument();
  });
  it('empty with custom text', () => {
    render(<TaskTable tasks={[]} now={NOW} emptyText="Nothing here" />);
    expect(screen.getByText('Nothing here')).toBeInTheDocument();
  });
  it('error', () => {
    render(<TaskTable error={new ApiError(400, 'bad status', 'status')} now={NOW} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Field: status');
  });
  it('data: link to detail, status, attempt, run time, error column', () => {
    const t = task({
      status: 'FAILED',
      attempt: 1,
      max_retries: 0,
      started_at: 1_700_000_000_000,
      completed_at: 1_700_000_000_250,
      error: 'failed on purpose',
    });
    render(<TaskTable tasks={[t]} now={NOW} showError />);
    const row = screen.getByRole('link', { name: '11111111' }).closest('tr')!;
    expect(screen.getByRole('link', { name: '11111111' })).toHaveAttribute(
      'href',
      `/task/?id=${t.task_id}`,
    );
    expect(row).toHaveAttribute('data-status', 'FAILED');
    expect(row).toHaveTextContent('1 / 1');
    expect(row).toHaveTextContent('250 ms');
    expect(row).toHaveTextContent('failed on purpose');
  });
  it('selection: one and all', () => {
    const onToggle = vi.fn();
    const onToggleAll = vi.fn();
    const a = task();
    const b = task({ task_id: '22222222-2222-4222-8222-222222222222' });
    render(
      <TaskTable
        tasks={[a, b]}
        now={NOW}
        selection={{ selected: new Set([a.task_id]), onToggle, onToggleAll }}
      />,
    );
    expect(screen.getByLabelText(`Select task ${a.task_id}`)).toBeChecked();
    fireEvent.click(screen.getByLabelText(`Select task ${b.task_id}`));
    expect(onToggle).toHaveBeenCalledWith(b.task_id);
    fireEvent.click(screen.getByLabelText('Select all on this page'));
    expect(onToggleAll).toHaveBeenCalledWith([a.task_id, b.task_id], true);
  });
});
