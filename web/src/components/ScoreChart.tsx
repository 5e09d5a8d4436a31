import type { Reason, ScorePoint } from '../api/types';

/**
 * Suspicion score over time as a small SVG line chart (no chart library): x is stream time
 * in seconds from the first point, y is 0–100 %. Reason spans are shaded; an optional
 * threshold line and a playhead (`current`) are drawn.
 */
export function ScoreChart({
  points,
  reasons = [],
  threshold,
  current,
  onSeek,
  width = 600,
  height = 140,
}: {
  points: ScorePoint[];
  reasons?: Reason[];
  threshold?: number;
  /** Playhead, on the same clock as the points. */
  current?: number | null;
  onSeek?: (t: number) => void;
  width?: number;
  height?: number;
}) {
  if (points.length < 2) return null;
  const pad = { l: 34, r: 8, t: 8, b: 22 };
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  const span = Math.max(1e-6, t1 - t0);
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const x = (t: number) => pad.l + ((t - t0) / span) * w;
  const y = (s: number) => pad.t + (1 - Math.max(0, Math.min(1, s))) * h;
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.score).toFixed(1)}`).join(' ');
  const area = `${line} L${x(t1).toFixed(1)},${y(0)} L${x(t0).toFixed(1)},${y(0)} Z`;
  const peak = points.reduce((a, b) => (b.score > a.score ? b : a));
  const ticks = niceTicks(span);

  const seek = (clientX: number, svg: SVGSVGElement) => {
    if (!onSeek) return;
    const rect = svg.getBoundingClientRect();
    const px = ((clientX - rect.left) / rect.width) * width;
    onSeek(t0 + Math.max(0, Math.min(1, (px - pad.l) / w)) * span);
  };

  return (
    <svg
      className="score-chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Suspicion score over ${span.toFixed(1)} seconds, peak ${Math.round(peak.score * 100)}%`}
      onClick={(e) => seek(e.clientX, e.currentTarget)}
      style={{ cursor: onSeek ? 'pointer' : undefined }}
    >
      {reasons.map((r, i) => {
        const a = Math.max(t0, r.t_start);
        const b = Math.min(t1, r.t_end);
        if (b <= a) return null;
        return <rect key={i} x={x(a)} y={pad.t} width={x(b) - x(a)} height={h} fill="rgba(240,180,41,0.12)" />;
      })}
      {[0, 0.5, 1].map((v) => (
        <g key={v}>
          <line x1={pad.l} x2={width - pad.r} y1={y(v)} y2={y(v)} stroke="#2b3542" strokeWidth={1} />
          <text x={pad.l - 6} y={y(v) + 4} textAnchor="end" fontSize={10} fill="#9aa7b6">
            {v * 100}%
          </text>
        </g>
      ))}
      {ticks.map((t) => (
        <text key={t} x={x(t0 + t)} y={height - 6} textAnchor="middle" fontSize={10} fill="#9aa7b6">
          {t}s
        </text>
      ))}
      {threshold !== undefined && (
        <line
          x1={pad.l}
          x2={width - pad.r}
          y1={y(threshold)}
          y2={y(threshold)}
          stroke="#ff5d5d"
          strokeDasharray="4 3"
          strokeWidth={1}
        />
      )}
      <path d={area} fill="rgba(76,154,255,0.15)" />
      <path d={line} fill="none" stroke="#4c9aff" strokeWidth={2} strokeLinejoin="round" />
      <circle cx={x(peak.t)} cy={y(peak.score)} r={3.5} fill="#ff5d5d" />
      {current !== null && current !== undefined && current >= t0 && current <= t1 && (
        <line x1={x(current)} x2={x(current)} y1={pad.t} y2={pad.t + h} stroke="#e6edf3" strokeWidth={1.5} />
      )}
    </svg>
  );
}

/** Whole-second tick positions (relative to the first point), at most ~6. */
export function niceTicks(span: number): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300];
  const step = steps.find((s) => span / s <= 6) ?? Math.ceil(span / 6);
  const ticks: number[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) ticks.push(t);
  return ticks;
}
