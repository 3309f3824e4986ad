import { fireEvent, render, screen } from '@testing-library/react';
import { ApiError } from '@/lib/api';
import { event, task } from '@/test/helpers';
import { TaskDetail } from './TaskDetail';
import { Timeline } from './Timeline';

describe('Timeline', () => {
  it('loading', () => {
    render(<Timeline />);
    expect(screen.getByText('Loading timeline…')).toBeInTheDocument();
  });
  it('empty', () => {
    render(<Timeline events={[]} />);
    expect(screen.getByText('No transitions recorded yet.')).toBeInTheDocument();
  });
  it('error', () => {
    render(<Timeline error={new ApiError(404, 'Unknown task')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Unknown task');
  });
  it('data: every transition with worker, deltas, reasons, grouped by attempt', () => {
    const t0 = 1_700_000_000_000;
    render(
      <Timeline
        events={[
          event({ version: 1, transition: 'SUBMITTED', to_status: 'QUEUED', at: t0, attempt: 0 }),
          event({
            version: 2,
            transition: 'DISPATCHED',
            from_status: 'QUEUED',
            to_status: 'RUNNING',
            at: t0 + 5,
            attempt: 1,
          }),
          event({
            version: 3,
            transition: 'FAILED_RETRYING',
            from_status: 'RUNNING',
            to_status: 'PENDING',
            at: t0 + 105,
            attempt: 1,
            worker_id: 'w-1',
            reason: 'boom',
          }),
          event({
            version: 4,
            transition: 'SUCCEEDED',
            from_status: 'RUNNING',
            to_status: 'SUCCESS',
            at: t0 + 2105,
            attempt: 2,
            worker_id: 'w-2',
          }),
        ]}
      />,
    );
    const items = screen.getAllByRole('listitem');
    expect(items).toHaveLength(4);
    expect(items[2]).toHaveTextContent('FAILED_RETRYING');
    expect(items[2]).toHaveTextContent('worker w-1');
    expect(items[2]).toHaveTextContent('boom');
    expect(items[2]).toHaveTextContent('Δ 100 ms');
    expect(items[3]).toHaveTextContent('+2.10 s');
    expect(screen.getByText('Attempt 1')).toBeInTheDocument();
    expect(screen.getByText('Attempt 2')).toBeInTheDocument();
  });
});

describe('TaskDetail', () => {
  const noop = () => undefined;
  it('loading', () => {
    render(<TaskDetail onCancel={noop} onRetry={noop} />);
    expect(screen.getByText('Loading task…')).toBeInTheDocument();
  });
  it('error', () => {
    render(
      <TaskDetail
        error={new ApiError(400, 'Expected task_id to be a UUID', 'task_id')}
        onCancel={noop}
        onRetry={noop}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Field: task_id');
  });
  it('a running task can be cancelled, not retried', () => {
    const onCancel = vi.fn();
    render(
      <TaskDetail
        task={task({ status: 'RUNNING', attempt: 1, worker_id: 'w-1' })}
        onCancel={onCancel}
        onRetry={noop}
      />,
    );
    expect(screen.getByRole('button', { name: 'Retry' })).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalled();
    expect(screen.getByText('w-1')).toBeInTheDocument();
    expect(screen.getByText('1 of 4 (max retries 3)')).toBeInTheDocument();
  });
  it('a failed task shows its error and can be retried', () => {
    const onRetry = vi.fn();
    render(
      <TaskDetail
        task={task({ status: 'FAILED', error: 'failed on purpose', result: '' })}
        onCancel={noop}
        onRetry={onRetry}
      />,
    );
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeDisabled();
    expect(screen.getByRole('note')).toHaveTextContent('failed on purpose');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalled();
  });
  it('shows payload pretty-printed and an action error', () => {
    render(
      <TaskDetail
        task={task({ status: 'SUCCESS', result: '{"ok":true}' })}
        actionError={new ApiError(409, 'already finished', 'task_id')}
        onCancel={noop}
        onRetry={noop}
      />,
    );
    expect(screen.getByRole('region', { name: 'Payload' })).toHaveTextContent('"hello": "world"');
    expect(screen.getByRole('region', { name: 'Result' })).toHaveTextContent('"ok": true');
    expect(screen.getByRole('alert')).toHaveTextContent('already finished');
  });
  it('buttons are disabled while an action runs', () => {
    render(<TaskDetail task={task({ status: 'FAILED' })} busy onCancel={noop} onRetry={noop} />);
    expect(screen.getByRole('button', { name: 'Retry' })).toBeDisabled();
  });
});
