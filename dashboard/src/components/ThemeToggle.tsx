'use client';

import { useEffect, useState } from 'react';
import { applyTheme, readTheme, type ThemeChoice } from '@/lib/theme';

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<ThemeChoice, string> = { system: 'Auto', light: 'Light', dark: 'Dark' };

export function ThemeToggle() {
  const [theme, setTheme] = useState<ThemeChoice>('system');
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- localStorage is read after hydration
    setTheme(readTheme());
  }, []);
  return (
    <button
      type="button"
      className="btn btn-ghost theme-toggle"
      aria-label={`Theme: ${LABEL[theme]}. Switch to ${LABEL[NEXT[theme]]}`}
      onClick={() => {
        const t = NEXT[theme];
        setTheme(t);
        applyTheme(t);
      }}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}</span>{' '}
      {LABEL[theme]}
    </button>
  );
}
