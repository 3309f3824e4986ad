import type { Connection } from '@/lib/live';

const TEXT: Record<Connection, { label: string; help: string }> = {
  connecting: { label: 'Connecting', help: 'Opening the live stream…' },
  live: { label: 'Live', help: 'Receiving every transition and a stats tick each second.' },
  polling: {
    label: 'Polling',
    help: 'The live stream is unavailable; refreshing every few seconds and retrying the stream.',
  },
  offline: { label: 'Offline', help: 'The gateway does not answer; retrying.' },
};

export function ConnectionIndicator({ connection }: { connection: Connection }) {
  const t = TEXT[connection];
  return (
    <span
      className={`conn conn-${connection}`}
      role="status"
      aria-live="polite"
      title={t.help}
      data-testid="connection"
      data-state={connection}
    >
      <span className="conn-dot" aria-hidden="true" />
      {t.label}
    </span>
  );
}
