import type { Status } from '@/lib/types';

export function StatusBadge({ status }: { status: Status | string }) {
  return (
    <span className={`badge badge-${String(status).toLowerCase()}`} data-status={status}>
      {status || '—'}
    </span>
  );
}
