import { fmtClock } from '@/lib/format';

export interface ChartSeries {
  label: string;
  /** CSS colour, e.g. var(--c1). */
  color: string;
  points: { t: number; v: number }[];
}

const W = 320;
const H = 110;
const PAD_TOP = 6;
const MIN_SPAN_MS = 60_000;

/** A small dependency-free SVG line chart for the last minutes of a few series. */
export function LineChart({
  title,
  series,
  windowMs,
  format = (v) => v.toFixed(0),
}: {
  title: string;
  series: ChartSeries[];
  windowMs: number;
  format?: (v: number) => string;
}) {
  const all = series.flatMap((s) => s.points);
  const id = `chart-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  if (Math.max(0, ...series.map((s) => s.points.length)) < 2) {
    return (
      <figure className="card chart" aria-labelledby={`${id}-t`}>
        <figcaption id={`${id}-t`} className="chart-title">
          {title}
        </figcaption>
        <div className="chart-empty muted">Collecting data…</div>
      </figure>
    );
  }
  const end = Math.max(...all.map((p) => p.t));
  const first = Math.min(...all.map((p) => p.t));
  // Until the window fills up, span the data collected so far (at least a minute).
  const span = Math.min(windowMs, Math.max(MIN_SPAN_MS, end - first));
  const start = end - span;
  const max = Math.max(1e-9, ...all.map((p) => p.v));
  const niceMax = niceCeil(max);
  const x = (t: number) => ((t - start) / span) * W;
  const y = (v: number) => H - (v / niceMax) * (H - PAD_TOP);
  const latest = (s: ChartSeries) =>
    s.points.length ? s.points[s.points.length - 1].v : undefined;
  const summary = series
    .map((s) => `${s.label} ${latest(s) === undefined ? 'no data' : format(latest(s)!)}`)
    .join(', ');
  return (
    <figure className="card chart" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`} className="chart-title">
        {title}
      </figcaption>
      <ul className="legend">
        {series.map((s) => (
          <li key={s.label}>
            <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.label} <strong>{latest(s) === undefined ? '—' : format(latest(s)!)}</strong>
          </li>
        ))}
      </ul>
      <div className="chart-body">
        <span className="chart-max muted">{format(niceMax)}</span>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`${title}, last ${fmtSpan(span)}: ${summary}`}
        >
          <line x1="0" x2={W} y1={H - 0.5} y2={H - 0.5} className="axis" />
          <line x1="0" x2={W} y1={y(niceMax / 2)} y2={y(niceMax / 2)} className="grid" />
          {series.map((s) =>
            s.points.length ? (
              <polyline
                key={s.label}
                fill="none"
                stroke={s.color}
                strokeWidth="2"
                vectorEffect="non-scaling-stroke"
                strokeLinejoin="round"
                points={s.points
                  .filter((p) => p.t >= start)
                  .map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`)
                  .join(' ')}
              />
            ) : null,
          )}
        </svg>
        <div className="chart-axis muted" aria-hidden="true">
          <span>{fmtClock(start)}</span>
          <span>{fmtClock(end)}</span>
        </div>
      </div>
    </figure>
  );
}

export function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * exp) return m * exp;
  return 10 * exp;
}

function fmtSpan(ms: number): string {
  const min = Math.round(ms / 60_000);
  return min <= 1 ? 'minute' : `${min} minutes`;
}
