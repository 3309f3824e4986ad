import { render, screen } from '@testing-library/react';
import { ApiError } from '@/lib/api';
import { ConnectionIndicator } from './ConnectionIndicator';
import { ErrorMessage } from './ErrorMessage';
import { JsonBlock } from './JsonBlock';
import { StatCard } from './StatCard';
import { StatusBadge } from './StatusBadge';

describe('ConnectionIndicator', () => {
  it.each([
    ['connecting', 'Connecting'],
    ['live', 'Live'],
    ['polling', 'Polling'],
    ['offline', 'Offline'],
  ] as const)('shows %s', (state, label) => {
    render(<ConnectionIndicator connection={state} />);
    const el = screen.getByRole('status');
    expect(el).toHaveTextContent(label);
    expect(el).toHaveAttribute('data-state', state);
    expect(el).toHaveAttribute('title');
  });
});

describe('StatusBadge', () => {
  it('shows the status with a class per status', () => {
    render(<StatusBadge status="FAILED" />);
    expect(screen.getByText('FAILED')).toHaveClass('badge-failed');
  });
  it('shows a dash for an empty status', () => {
    render(<StatusBadge status="" />);
    expect(screen.getByText('—')).toBeInTheDocument();
  });
});

describe('ErrorMessage', () => {
  it('renders nothing without an error', () => {
    const { container } = render(<ErrorMessage />);
    expect(container).toBeEmptyDOMElement();
  });
  it('shows title, status, message and field', () => {
    render(
      <ErrorMessage
        error={new ApiError(400, 'Expected a priority from 0 to 10', 'priority')}
        context="Not submitted"
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Not submitted: Invalid input (400)');
    expect(alert).toHaveTextContent('Expected a priority from 0 to 10');
    expect(alert).toHaveTextContent('Field: priority');
  });
  it.each([
    [0, 'Gateway unreachable'],
    [404, 'Not found'],
    [409, 'Not possible in the current state'],
    [413, 'Payload too large'],
    [429, 'Too many requests'],
    [503, 'Service unavailable'],
    [500, 'Server error'],
  ])('names status %i', (status, title) => {
    render(<ErrorMessage error={new ApiError(status, 'x')} />);
    expect(screen.getByRole('alert')).toHaveTextContent(title);
  });
});

describe('StatCard', () => {
  it('shows a loading placeholder without a value', () => {
    render(<StatCard label="Running" />);
    expect(screen.getByLabelText('loading')).toBeInTheDocument();
  });
  it('shows value and hint', () => {
    render(<StatCard label="Running" value="12" hint="of 32 slots" />);
    expect(screen.getByText('12')).toBeInTheDocument();
    expect(screen.getByText('of 32 slots')).toBeInTheDocument();
  });
});

describe('JsonBlock', () => {
  it('pretty-prints JSON text', () => {
    render(<JsonBlock label="Payload" text='{"a":1,"b":[true]}' />);
    expect(screen.getByRole('region', { name: 'Payload' }).querySelector('pre')?.textContent).toBe(
      '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}',
    );
  });
  it('shows plain text as it is', () => {
    render(<JsonBlock label="Result" text="not json" />);
    expect(screen.getByText('not json')).toBeInTheDocument();
  });
  it('says empty for no text', () => {
    render(<JsonBlock label="Result" text="" />);
    expect(screen.getByText('(empty)')).toBeInTheDocument();
  });
});
