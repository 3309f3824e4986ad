import type { Task, TaskEvent } from './types';

export interface RowFilter {
  queue?: string;
  status?: string;
  priority?: string | number;
}

export function matches(t: Task, f: RowFilter): boolean {
  if (f.queue && t.queue !== f.queue) return false;
  if (f.status && t.status !== f.status) return false;
  if (f.priority !== undefined && f.priority !== '' && t.priority !== Number(f.priority))
    return false;
  return true;
}

/**
 * Applies streamed transitions to the rows of a list: rows it shows are updated in place (newer
 * versions only); when `prependNew` (first page), new tasks that match the filter go on top.
 */
export function applyEvents(
  rows: Task[],
  events: TaskEvent[],
  filter: RowFilter,
  prependNew: boolean,
  limit: number,
): { rows: Task[]; added: number } {
  let next = rows;
  let added = 0;
  for (const e of events) {
    const snap = e.task;
    if (!snap) continue;
    const i = next.findIndex((r) => r.task_id === e.task_id);
    if (i >= 0) {
      if ((next[i].version ?? 0) < (snap.version ?? e.version)) {
        next = next === rows ? [...rows] : next;
        next[i] = snap;
      }
    } else if (prependNew && matches(snap, filter)) {
      next = [snap, ...next].slice(0, limit);
      added++;
    }
  }
  return { rows: next, added };
}
