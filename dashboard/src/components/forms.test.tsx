import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '@/lib/api';
import { queue } from '@/test/helpers';
import { Pager } from './Pager';
import { QueueControls } from './QueueControls';
import { SubmitForm } from './SubmitForm';
import { TaskFilters } from './TaskFilters';

describe('SubmitForm', () => {
  it('submits the fields and shows the task id with a link', async () => {
    const submit = vi.fn().mockResolvedValue({ task_id: 'abc-123', status: 'QUEUED' });
    const onSubmitted = vi.fn();
    render(<SubmitForm submit={submit} onSubmitted={onSubmitted} queues={['default', 'emails']} />);
    const user = userEvent.setup();
    await user.clear(screen.getByLabelText(/^Queue/));
    await user.type(screen.getByLabelText(/^Queue/), 'emails');
    await user.clear(screen.getByLabelText(/^Priority/));
    await user.type(screen.getByLabelText(/^Priority/), '9');
    await user.clear(screen.getByLabelText(/^Max retries/));
    await user.type(screen.getByLabelText(/^Max retries/), '0');
    await user.type(screen.getByLabelText(/^Delay/), '250');
    await user.type(screen.getByLabelText(/^Idempotency key/), 'order-7');
    fireEvent.change(screen.getByLabelText(/^Payload/), { target: { value: '{"delay_ms": 10}' } });
    await user.click(screen.getByRole('button', { name: 'Submit task' }));
    const result = await screen.findByTestId('submit-result');
    expect(result).toHaveTextContent('Submitted abc-123 (QUEUED)');
    expect(screen.getByRole('link', { name: 'abc-123' })).toHaveAttribute(
      'href',
      '/task/?id=abc-123',
    );
    const req = {
      queue: 'emails',
      payload: { delay_ms: 10 },
      priority: 9,
      max_retries: 0,
      delay_ms: 250,
      idempotency_key: 'order-7',
    };
    expect(submit).toHaveBeenCalledWith(req);
    expect(onSubmitted).toHaveBeenCalledWith({ task_id: 'abc-123', status: 'QUEUED' }, req);
  });

  it('says when a submit was a duplicate', async () => {
    const submit = vi.fn().mockResolvedValue({ task_id: 'x', status: 'RUNNING', duplicate: true });
    render(<SubmitForm submit={submit} />);
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    expect(await screen.findByTestId('submit-result')).toHaveTextContent(
      'Duplicate: already submitted as x',
    );
  });

  it('marks the field named by an API error', async () => {
    const submit = vi
      .fn()
      .mockRejectedValue(
        new ApiError(400, 'Expected a priority from 0 to 10, but got 11', 'priority'),
      );
    render(<SubmitForm submit={submit} />);
    fireEvent.change(screen.getByLabelText(/^Priority/), { target: { value: '11' } });
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Not submitted: Invalid input (400)',
    );
    const input = screen.getByLabelText(/^Priority/);
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('Expected a priority from 0 to 10, but got 11');
  });

  it('refuses a payload that is not JSON without calling the API', async () => {
    const submit = vi.fn();
    render(<SubmitForm submit={submit} />);
    fireEvent.change(screen.getByLabelText(/^Payload/), { target: { value: '{oops' } });
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The payload is not valid JSON');
    expect(screen.getByLabelText(/^Payload/)).toHaveAttribute('aria-invalid', 'true');
    expect(submit).not.toHaveBeenCalled();
  });

  it.each([
    [413, 'Payload too large'],
    [429, 'Too many requests'],
    [503, 'Service unavailable'],
    [0, 'Gateway unreachable'],
  ])('explains a %i', async (status, title) => {
    const submit = vi.fn().mockRejectedValue(new ApiError(status, 'details here'));
    render(<SubmitForm submit={submit} />);
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(title);
    expect(alert).toHaveTextContent('details here');
  });

  it('disables the button while submitting', async () => {
    let resolve: (v: unknown) => void = () => undefined;
    const submit = vi.fn(() => new Promise((r) => (resolve = r)));
    render(<SubmitForm submit={submit as never} />);
    fireEvent.click(screen.getByRole('button', { name: 'Submit task' }));
    expect(await screen.findByRole('button', { name: 'Submitting…' })).toBeDisabled();
    resolve({ task_id: 'z', status: 'QUEUED' });
    await screen.findByTestId('submit-result');
  });
});

describe('TaskFilters', () => {
  it('changes queue, status and priority', () => {
    const onChange = vi.fn();
    const value = { queue: '', status: '', priority: '' };
    render(<TaskFilters value={value} queues={['default', 'emails']} onChange={onChange} />);
    fireEvent.change(screen.getByLabelText('Queue'), { target: { value: 'emails' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...value, queue: 'emails' });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'FAILED' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...value, status: 'FAILED' });
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: '10' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...value, priority: '10' });
  });
  it('searches by id; hides status when asked', () => {
    const onSearch = vi.fn();
    render(
      <TaskFilters
        value={{ queue: 'gone', status: 'FAILED', priority: '' }}
        queues={[]}
        onChange={() => undefined}
        onSearch={onSearch}
        hideStatus
      />,
    );
    expect(screen.queryByLabelText('Status')).not.toBeInTheDocument();
    expect(screen.getByRole('option', { name: 'gone' })).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Task id'), { target: { value: '  abc  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(onSearch).toHaveBeenCalledWith('abc');
  });
});

describe('Pager', () => {
  it('disables what is not possible and calls back', () => {
    const onPrev = vi.fn();
    const onNext = vi.fn();
    render(
      <Pager
        page={1}
        hasPrev={false}
        hasNext
        onPrev={onPrev}
        onNext={onNext}
        total={120}
        shown={50}
      />,
    );
    expect(screen.getByRole('button', { name: '← Newer' })).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: 'Older →' }));
    expect(onNext).toHaveBeenCalled();
    expect(screen.getByRole('navigation')).toHaveTextContent('Page 1 · 50 shown of 120');
  });
});

describe('QueueControls', () => {
  const actions = () => ({
    pause: vi.fn().mockResolvedValue({}),
    resume: vi.fn().mockResolvedValue({}),
    setLimits: vi.fn().mockResolvedValue({}),
  });
  it('loading, empty, error', () => {
    const { rerender } = render(<QueueControls actions={actions()} />);
    expect(screen.getByText('Loading queues…')).toBeInTheDocument();
    rerender(<QueueControls queues={[]} actions={actions()} />);
    expect(screen.getByText(/No queues yet/)).toBeInTheDocument();
    rerender(<QueueControls error={new ApiError(503, 'down')} actions={actions()} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Service unavailable');
  });
  it('pauses an active queue and resumes a paused one', async () => {
    const a = actions();
    const onChanged = vi.fn();
    render(
      <QueueControls
        queues={[queue(), queue({ queue: 'emails', paused: true })]}
        actions={a}
        onChanged={onChanged}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Pause default' }));
    await waitFor(() => expect(a.pause).toHaveBeenCalledWith('default'));
    expect(await screen.findByText(/Paused: tasks are accepted/)).toBeInTheDocument();
    expect(onChanged).toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Resume emails' }));
    await waitFor(() => expect(a.resume).toHaveBeenCalledWith('emails'));
  });
  it('saves limits as numbers', async () => {
    const a = actions();
    render(<QueueControls queues={[queue()]} actions={a} />);
    fireEvent.change(screen.getByLabelText('Max concurrency'), { target: { value: '4' } });
    fireEvent.change(screen.getByLabelText('Rate / s'), { target: { value: '2.5' } });
    fireEvent.change(screen.getByLabelText('Burst'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save limits' }));
    await waitFor(() =>
      expect(a.setLimits).toHaveBeenCalledWith('default', {
        max_concurrency: 4,
        rate_per_second: 2.5,
        burst: 0,
      }),
    );
    expect(await screen.findByText('Limits saved.')).toBeInTheDocument();
  });
  it('shows a refused action with its field', async () => {
    const a = actions();
    a.setLimits.mockRejectedValue(new ApiError(400, 'Expected burst >= 0', 'burst'));
    render(<QueueControls queues={[queue()]} actions={a} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save limits' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Expected burst >= 0');
    expect(alert).toHaveTextContent('Field: burst');
  });
});
