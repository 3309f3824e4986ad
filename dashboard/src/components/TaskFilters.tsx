'use client';

import { useState, type FormEvent } from 'react';
import { STATUSES } from '@/lib/types';

export interface Filters {
  queue: string;
  status: string;
  priority: string;
}

export function TaskFilters({
  value,
  queues,
  onChange,
  onSearch,
  hideStatus,
}: {
  value: Filters;
  queues: string[];
  onChange: (f: Filters) => void;
  onSearch?: (id: string) => void;
  hideStatus?: boolean;
}) {
  const [id, setId] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (id.trim()) onSearch?.(id.trim());
  };
  const allQueues = Array.from(new Set([...queues, ...(value.queue ? [value.queue] : [])])).sort();
  return (
    <div className="filters">
      <label>
        Queue
        <select value={value.queue} onChange={(e) => onChange({ ...value, queue: e.target.value })}>
          <option value="">All queues</option>
          {allQueues.map((q) => (
            <option key={q} value={q}>
              {q}
            </option>
          ))}
        </select>
      </label>
      {hideStatus ? null : (
        <label>
          Status
          <select
            value={value.status}
            onChange={(e) => onChange({ ...value, status: e.target.value })}
          >
            <option value="">All statuses</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Priority
        <select
          value={value.priority}
          onChange={(e) => onChange({ ...value, priority: e.target.value })}
        >
          <option value="">Any</option>
          {Array.from({ length: 11 }, (_, i) => 10 - i).map((p) => (
            <option key={p} value={String(p)}>
              {p}
            </option>
          ))}
        </select>
      </label>
      {onSearch ? (
        <form className="search" onSubmit={submit} role="search">
          <label>
            Task id
            <input
              type="search"
              value={id}
              placeholder="3f1d2c4e-…"
              onChange={(e) => setId(e.target.value)}
              spellCheck={false}
              autoComplete="off"
            />
          </label>
          <button type="submit" className="btn">
            Open
          </button>
        </form>
      ) : null}
    </div>
  );
}
