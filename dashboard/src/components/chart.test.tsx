import { render, screen } from '@testing-library/react';
import { LineChart, niceCeil } from './LineChart';

describe('LineChart', () => {
  it('empty: waits for data', () => {
    render(<LineChart title="Throughput" windowMs={60_000} series={[]} />);
    expect(screen.getByText('Collecting data…')).toBeInTheDocument();
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
  });
  it('one point is not a line yet', () => {
    render(
      <LineChart
        title="Depth"
        windowMs={60_000}
        series={[{ label: 'queued', color: 'red', points: [{ t: 1, v: 2 }] }]}
      />,
    );
    expect(screen.getByText('Collecting data…')).toBeInTheDocument();
  });
  it('data: one polyline per series, legend with latest values, accessible summary', () => {
    const pts = (vals: number[]) => vals.map((v, i) => ({ t: 1000 * i, v }));
    render(
      <LineChart
        title="Latency"
        windowMs={60_000}
        format={(v) => `${v} ms`}
        series={[
          { label: 'p50', color: 'green', points: pts([10, 20, 15]) },
          { label: 'p99', color: 'red', points: pts([100, 300, 120]) },
        ]}
      />,
    );
    const svg = screen.getByRole('img');
    expect(svg).toHaveAccessibleName(/Latency, last minute: p50 15 ms, p99 120 ms/);
    expect(svg.querySelectorAll('polyline')).toHaveLength(2);
    expect(screen.getByText('500 ms')).toBeInTheDocument(); // nice max above 300
  });
  it('spans the data collected so far until the window is full', () => {
    const pts = [
      { t: 0, v: 1 },
      { t: 120_000, v: 2 },
    ];
    render(
      <LineChart
        title="Depth"
        windowMs={300_000}
        series={[{ label: 'queued', color: 'red', points: pts }]}
      />,
    );
    expect(screen.getByRole('img')).toHaveAccessibleName(/last 2 minutes/);
    expect(screen.getByRole('img').querySelector('polyline')?.getAttribute('points')).toMatch(
      /^0\.0,/,
    );
  });
  it('niceCeil rounds up to 1, 2, 2.5, 5 steps', () => {
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(0.7)).toBe(1);
    expect(niceCeil(13)).toBe(20);
    expect(niceCeil(230)).toBe(250);
    expect(niceCeil(4000)).toBe(5000);
  });
});
