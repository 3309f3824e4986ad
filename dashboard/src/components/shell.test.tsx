import { fireEvent, render, screen } from '@testing-library/react';
import { THEME_KEY } from '@/lib/theme';
import { ThemeToggle } from './ThemeToggle';

vi.mock('next/navigation', () => ({ usePathname: () => '/tasks/' }));

describe('ThemeToggle', () => {
  beforeEach(() => {
    localStorage.clear();
    delete document.documentElement.dataset.theme;
  });
  it('cycles auto → light → dark → auto and remembers the choice', () => {
    render(<ThemeToggle />);
    const btn = screen.getByRole('button', { name: /Theme: Auto/ });
    fireEvent.click(btn);
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(localStorage.getItem(THEME_KEY)).toBe('light');
    fireEvent.click(btn);
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(btn).toHaveAccessibleName('Theme: Dark. Switch to Auto');
    fireEvent.click(btn);
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
  });
  it('starts from the stored choice', () => {
    localStorage.setItem(THEME_KEY, 'dark');
    render(<ThemeToggle />);
    expect(screen.getByRole('button', { name: /Theme: Dark/ })).toBeInTheDocument();
  });
});

describe('Shell', () => {
  it('marks the current page and shows the connection state', async () => {
    const { Shell } = await import('./Shell');
    render(
      <Shell>
        <p>content</p>
      </Shell>,
    );
    expect(screen.getByRole('link', { name: 'Tasks' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('link', { name: 'Overview' })).not.toHaveAttribute('aria-current');
    // outside a LiveProvider the shell says offline
    expect(screen.getByTestId('connection')).toHaveTextContent('Offline');
    expect(screen.getByRole('link', { name: 'Skip to content' })).toHaveAttribute('href', '#main');
  });
});
