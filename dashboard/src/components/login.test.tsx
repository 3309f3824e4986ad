import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '@/lib/api';
import { SessionGate, useSession } from '@/lib/session';
import { jsonError, mockFetch } from '@/test/helpers';
import { LoginForm } from './LoginForm';
import { Shell } from './Shell';

vi.mock('next/navigation', () => ({ usePathname: () => '/' }));

const VIEWER = { auth_enabled: true, name: 'viewer', scopes: ['read'], expires_at: 1 };

describe('LoginForm', () => {
  it('trades the key for a session and hands it on', async () => {
    const login = vi.fn().mockResolvedValue(VIEWER);
    const onLoggedIn = vi.fn();
    render(<LoginForm login={login} onLoggedIn={onLoggedIn} />);
    const user = userEvent.setup();

    const input = screen.getByLabelText(/^API key/);
    expect(input).toHaveAttribute('type', 'password');
    await user.type(input, '  tq_secret  ');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith(VIEWER));
    expect(login).toHaveBeenCalledWith('tq_secret');
  });

  it('shows why a login failed and lets the user try again', async () => {
    const login = vi
      .fn()
      .mockRejectedValue(
        new ApiError(
          401,
          'Expected a valid API key, but the key given is not one this gateway knows',
        ),
      );
    render(<LoginForm login={login} onLoggedIn={vi.fn()} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/^API key/), 'tq_wrong');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Login failed: Login required (401)');
    expect(alert).toHaveTextContent('not one this gateway knows');
    expect(screen.getByRole('button', { name: 'Log in' })).toBeEnabled();
  });

  it('asks for a key instead of sending an empty one', async () => {
    const login = vi.fn();
    render(<LoginForm login={login} onLoggedIn={vi.fn()} />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Enter an API key.');
    expect(login).not.toHaveBeenCalled();
  });
});

function WhoAmI() {
  const { session, logout } = useSession();
  return (
    <div>
      <p>signed in as {session.name || 'anyone'}</p>
      <button type="button" onClick={() => void logout()}>
        bye
      </button>
    </div>
  );
}

describe('SessionGate', () => {
  it('shows the login form when the gateway answers 401, then the dashboard after login', async () => {
    const fetch = mockFetch({
      'GET /api/session': () => jsonError(401, 'Expected an API key'),
      'POST /api/session': () => VIEWER,
    });
    render(
      <SessionGate>
        <WhoAmI />
      </SessionGate>,
    );
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/^API key/), 'tq_viewer');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByText('signed in as viewer')).toBeInTheDocument();
    const post = fetch.mock.calls.find(([, init]) => init?.method === 'POST');
    expect(JSON.parse(String(post?.[1]?.body))).toEqual({ api_key: 'tq_viewer' });
  });

  it('goes straight to the dashboard when the gateway runs without auth', async () => {
    mockFetch({
      'GET /api/session': () => ({
        auth_enabled: false,
        name: '',
        scopes: ['submit', 'read', 'admin'],
      }),
    });
    render(
      <SessionGate>
        <WhoAmI />
      </SessionGate>,
    );
    expect(await screen.findByText('signed in as anyone')).toBeInTheDocument();
    expect(screen.queryByLabelText(/^API key/)).not.toBeInTheDocument();
  });

  it('returns to the login form when a later call answers 401 (the session expired)', async () => {
    mockFetch({
      'GET /api/session': () => VIEWER,
      'GET /api/stats': () => jsonError(401, 'Expected a current session, but it expired'),
    });
    render(
      <SessionGate>
        <WhoAmI />
      </SessionGate>,
    );
    await screen.findByText('signed in as viewer');

    await import('@/lib/api').then(({ api }) => api.stats().catch(() => undefined));

    expect(await screen.findByText('Your session ended; log in again.')).toBeInTheDocument();
    expect(screen.getByLabelText(/^API key/)).toBeInTheDocument();
  });

  it('logs out through the gateway and shows the login form', async () => {
    const fetch = mockFetch({
      'GET /api/session': () => VIEWER,
      'DELETE /api/session': () => new Response(null, { status: 204 }),
    });
    render(
      <SessionGate>
        <WhoAmI />
      </SessionGate>,
    );
    await userEvent.setup().click(await screen.findByRole('button', { name: 'bye' }));

    expect(await screen.findByText('Logged out.')).toBeInTheDocument();
    expect(fetch.mock.calls.some(([, init]) => init?.method === 'DELETE')).toBe(true);
  });
});

describe('Shell with a session', () => {
  it('shows who is logged in with the scopes, and a log-out button', async () => {
    mockFetch({ 'GET /api/session': () => VIEWER });
    render(
      <SessionGate>
        <Shell>
          <p>content</p>
        </Shell>
      </SessionGate>,
    );
    const name = await screen.findByText('viewer');
    expect(name).toHaveAttribute('title', 'Scopes: read');
    expect(screen.getByRole('button', { name: 'Log out' })).toBeInTheDocument();
  });

  it('shows no log-out button when the gateway runs without auth', async () => {
    mockFetch({
      'GET /api/session': () => ({
        auth_enabled: false,
        name: '',
        scopes: ['submit', 'read', 'admin'],
      }),
    });
    render(
      <SessionGate>
        <Shell>
          <p>content</p>
        </Shell>
      </SessionGate>,
    );
    await screen.findByText('content');
    expect(screen.queryByRole('button', { name: 'Log out' })).not.toBeInTheDocument();
  });
});
