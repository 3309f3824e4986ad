export function StatCard({
  label,
  value,
  hint,
  tone,
}: {
  label: string;
  value?: string;
  hint?: string;
  tone?: 'ok' | 'warn' | 'bad' | 'info';
}) {
  return (
    <div className={`card stat ${tone ? `stat-${tone}` : ''}`}>
      <div className="stat-label">{label}</div>
      <div className="stat-value" aria-busy={value === undefined}>
        {value === undefined ? <span className="skeleton" aria-label="loading" /> : value}
      </div>
      {hint ? <div className="stat-hint muted">{hint}</div> : null}
    </div>
  );
}
