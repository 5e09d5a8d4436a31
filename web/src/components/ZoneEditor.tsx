/**
 * Draw and edit a camera's zones as polygons over a still of the camera, in frame pixels.
 *
 * - "New zone", then click to add points; click the first point (or press Enter) to finish.
 * - Drag a point to move it; drag inside the selected zone to move the whole zone.
 * - Drag a small "+" handle in the middle of an edge to insert a point there.
 * - Delete/Backspace removes the selected point; double-click a point removes it.
 * - Arrow keys nudge the selected point (Shift: 10 px).
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent } from 'react';
import { Plus, Trash2 } from 'lucide-react';
import type { Point, Zone, ZoneKind } from '../api/types';
import {
  centroid,
  clamp,
  clientToFrame,
  hitVertex,
  insertPoint,
  movePoint,
  pointInPolygon,
  polygonProblem,
  removePoint,
  toSvgPoints,
  translatePolygon,
  type Size,
} from '../lib/geometry';
import { ZONE_COLORS } from '../lib/skeleton';
import { Button, Field } from './ui';

export const ZONE_KINDS: { kind: ZoneKind; label: string; hint: string }[] = [
  { kind: 'shelf', label: 'Shelf', hint: 'where goods are picked up' },
  { kind: 'checkout', label: 'Checkout', hint: 'where goods are paid for' },
  { kind: 'exit', label: 'Exit', hint: 'leaving the store' },
];

/** Handle hit radius in screen pixels (finger-sized on a tablet). */
const HIT_PX = 14;

type Drag =
  | { kind: 'vertex'; zone: number; index: number }
  | { kind: 'zone'; zone: number; start: Point; original: Point[] }
  | null;

export interface ZoneEditorProps {
  zones: Zone[];
  onChange: (zones: Zone[]) => void;
  /** Frame size in pixels; when absent, the image's natural size once it loads. */
  frame?: Size | null;
  imageUrl?: string;
  /** Tried when `imageUrl` fails (e.g. the MJPEG live view when there is no snapshot). */
  fallbackImageUrl?: string;
}

export function ZoneEditor({ zones, onChange, frame: frameProp, imageUrl, fallbackImageUrl }: ZoneEditorProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [natural, setNatural] = useState<Size | null>(null);
  const [src, setSrc] = useState(imageUrl);
  const [selected, setSelected] = useState<number | null>(zones.length ? 0 : null);
  const [vertex, setVertex] = useState<number | null>(null);
  const [drawing, setDrawing] = useState(false);
  const drag = useRef<Drag>(null);
  const frame = frameProp ?? natural;

  useEffect(() => setSrc(imageUrl), [imageUrl]);
  useEffect(() => {
    if (selected !== null && selected >= zones.length) {
      setSelected(zones.length ? zones.length - 1 : null);
      setVertex(null);
      setDrawing(false);
    }
  }, [zones.length, selected]);

  const zone = selected !== null ? zones[selected] : undefined;

  const update = useCallback(
    (index: number, patch: Partial<Zone>) => onChange(zones.map((z, i) => (i === index ? { ...z, ...patch } : z))),
    [zones, onChange],
  );

  const toFrame = (e: { clientX: number; clientY: number }): Point | null => {
    if (!svgRef.current || !frame) return null;
    return clientToFrame(e.clientX, e.clientY, svgRef.current.getBoundingClientRect(), frame);
  };

  /** Screen pixels → frame pixels at the current display scale. */
  const hitRadius = (): number => {
    if (!svgRef.current || !frame) return HIT_PX;
    const rect = svgRef.current.getBoundingClientRect();
    const scale = Math.min(rect.width / frame.width, rect.height / frame.height) || 1;
    return HIT_PX / scale;
  };

  const addZone = () => {
    const used = new Set(zones.map((z) => z.name));
    let n = zones.length + 1;
    while (used.has(`zone-${n}`)) n++;
    onChange([...zones, { name: `zone-${n}`, kind: 'shelf', polygon: [] }]);
    setSelected(zones.length);
    setVertex(null);
    setDrawing(true);
    svgRef.current?.parentElement?.focus();
  };

  const removeZone = (index: number) => {
    onChange(zones.filter((_, i) => i !== index));
    setSelected(null);
    setVertex(null);
    setDrawing(false);
  };

  const finishDrawing = () => {
    setDrawing(false);
    setVertex(null);
  };

  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if (e.button !== undefined && e.button !== 0) return;
    const p = toFrame(e);
    if (!p) return;
    const r = hitRadius();
    (e.currentTarget as Element).setPointerCapture?.(e.pointerId);

    if (zone && selected !== null) {
      const vi = hitVertex(zone.polygon, p, r);
      if (vi >= 0) {
        if (drawing && vi === 0 && zone.polygon.length >= 3) {
          finishDrawing();
          return;
        }
        setVertex(vi);
        drag.current = { kind: 'vertex', zone: selected, index: vi };
        return;
      }
      if (drawing) {
        update(selected, { polygon: [...zone.polygon, p] });
        setVertex(zone.polygon.length);
        return;
      }
      // Edge midpoint handles insert a point and start dragging it.
      if (zone.polygon.length >= 3) {
        const mids = midpoints(zone.polygon);
        const mi = hitVertex(mids, p, r);
        if (mi >= 0) {
          const polygon = insertPoint(zone.polygon, mids[mi], mi + 1);
          update(selected, { polygon });
          setVertex(mi + 1);
          drag.current = { kind: 'vertex', zone: selected, index: mi + 1 };
          return;
        }
      }
    }
    // Select the topmost zone under the pointer and start moving it.
    for (let i = zones.length - 1; i >= 0; i--) {
      if (zones[i].polygon.length >= 3 && pointInPolygon(p, zones[i].polygon)) {
        setSelected(i);
        setVertex(null);
        setDrawing(false);
        drag.current = { kind: 'zone', zone: i, start: p, original: zones[i].polygon };
        return;
      }
    }
    setVertex(null);
  };

  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d || !frame) return;
    const p = toFrame(e);
    if (!p) return;
    if (d.kind === 'vertex') {
      update(d.zone, { polygon: movePoint(zones[d.zone].polygon, d.index, p) });
    } else {
      update(d.zone, { polygon: translatePolygon(d.original, p[0] - d.start[0], p[1] - d.start[1], frame) });
    }
  };

  const onPointerUp = () => {
    drag.current = null;
  };

  const onDoubleClick = (e: MouseEvent<SVGSVGElement>) => {
    if (!zone || selected === null || drawing) return;
    const p = toFrame(e);
    if (!p) return;
    const vi = hitVertex(zone.polygon, p, hitRadius());
    if (vi >= 0) {
      update(selected, { polygon: removePoint(zone.polygon, vi) });
      setVertex(null);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    if ((e.key === 'Enter' || e.key === 'Escape') && drawing) {
      e.preventDefault();
      finishDrawing();
      return;
    }
    if (!zone || selected === null || vertex === null || !frame) return;
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      update(selected, { polygon: removePoint(zone.polygon, vertex) });
      setVertex(null);
      return;
    }
    const step = e.shiftKey ? 10 : 1;
    const delta: Record<string, Point> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const dv = delta[e.key];
    if (dv) {
      e.preventDefault();
      const [x, y] = zone.polygon[vertex];
      update(selected, {
        polygon: movePoint(zone.polygon, vertex, [clamp(x + dv[0], 0, frame.width), clamp(y + dv[1], 0, frame.height)]),
      });
    }
  };

  const stroke = frame ? Math.max(2, Math.round(Math.min(frame.width, frame.height) / 300)) : 2;
  const handleR = frame ? Math.max(5, Math.round(Math.min(frame.width, frame.height) / 110)) : 6;
  const fontSize = frame ? Math.max(12, Math.round(frame.height / 36)) : 14;

  return (
    <div className="zone-editor">
      <div
        className={`zone-canvas${drawing ? ' zone-canvas-drawing' : ''}`}
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-label="Zone drawing area. In drawing mode, click to add points; Enter finishes. Arrow keys move the selected point; Delete removes it."
        role="application"
      >
        {src && (
          <img
            src={src}
            alt="Camera picture"
            draggable={false}
            onLoad={(e) => setNatural({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
            onError={() => fallbackImageUrl && src !== fallbackImageUrl && setSrc(fallbackImageUrl)}
          />
        )}
        {frame && (
          <svg
            ref={svgRef}
            data-testid="zone-svg"
            viewBox={`0 0 ${frame.width} ${frame.height}`}
            preserveAspectRatio="xMidYMid meet"
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp}
            onDoubleClick={onDoubleClick}
          >
            {zones.map((z, i) => {
              const color = ZONE_COLORS[z.kind] ?? '#a0a0a0';
              const isSel = i === selected;
              const closed = z.polygon.length >= 3 && !(isSel && drawing);
              const c = z.polygon.length ? centroid(z.polygon) : null;
              return (
                <g key={i} data-zone={z.name} className={isSel ? 'zone-selected' : undefined}>
                  {closed ? (
                    <polygon
                      points={toSvgPoints(z.polygon)}
                      fill={color}
                      fillOpacity={isSel ? 0.28 : 0.16}
                      stroke={color}
                      strokeWidth={isSel ? stroke * 1.6 : stroke}
                      strokeLinejoin="round"
                    />
                  ) : (
                    <polyline
                      points={toSvgPoints(z.polygon)}
                      fill="none"
                      stroke={color}
                      strokeWidth={stroke * 1.6}
                      strokeDasharray={`${stroke * 4} ${stroke * 2}`}
                    />
                  )}
                  {c && z.polygon.length >= 3 && (
                    <text
                      x={c[0]}
                      y={c[1]}
                      fontSize={fontSize}
                      textAnchor="middle"
                      dominantBaseline="middle"
                      fill="#fff"
                      stroke="#000"
                      strokeWidth={fontSize / 6}
                      paintOrder="stroke"
                      pointerEvents="none"
                    >
                      {z.name} ({z.kind})
                    </text>
                  )}
                  {isSel &&
                    !drawing &&
                    z.polygon.length >= 3 &&
                    midpoints(z.polygon).map((m, mi) => (
                      <circle
                        key={`m${mi}`}
                        cx={m[0]}
                        cy={m[1]}
                        r={handleR * 0.7}
                        fill="#0b0e13"
                        stroke={color}
                        strokeWidth={stroke}
                        className="zone-mid-handle"
                      />
                    ))}
                  {isSel &&
                    z.polygon.map((v, vi) => (
                      <circle
                        key={vi}
                        data-vertex={vi}
                        cx={v[0]}
                        cy={v[1]}
                        r={vi === vertex ? handleR * 1.3 : handleR}
                        fill={vi === vertex ? '#fff' : color}
                        stroke="#000"
                        strokeWidth={stroke / 2}
                        className="zone-handle"
                      />
                    ))}
                </g>
              );
            })}
          </svg>
        )}
        {!frame && <div className="zone-canvas-wait muted">Waiting for a picture from the camera…</div>}
        <div className="zone-hint" aria-live="polite">
          {drawing
            ? zone && zone.polygon.length >= 3
              ? 'Click to add points · click the first point or press Enter to finish'
              : 'Click on the picture to place the zone’s corners'
            : zone
              ? 'Drag points to move them · drag “+” handles to add a point · double-click a point to remove it'
              : 'Select a zone, or add a new one'}
        </div>
      </div>

      <div className="zone-side">
        <div className="spread">
          <h3>Zones</h3>
          <Button size="sm" icon={<Plus size={14} />} onClick={addZone} disabled={!frame}>
            New zone
          </Button>
        </div>
        {zones.length === 0 && <p className="muted">No zones. Zones tell the rules where shelves, tills and exits are.</p>}
        <ul className="zone-list">
          {zones.map((z, i) => {
            const problem = polygonProblem(z.polygon, frame ?? undefined);
            return (
              <li key={i} className={i === selected ? 'zone-item zone-item-selected' : 'zone-item'}>
                <button
                  className="zone-item-select"
                  onClick={() => {
                    setSelected(i);
                    setVertex(null);
                    setDrawing(false);
                  }}
                  aria-pressed={i === selected}
                >
                  <span className="zone-swatch" style={{ background: ZONE_COLORS[z.kind] }} aria-hidden />
                  {z.name || '(unnamed)'} <span className="faint">· {z.polygon.length} pts</span>
                </button>
                {i === selected && (
                  <div className="stack" style={{ gap: 8, marginTop: 8 }}>
                    <Field label="Name">
                      {(p) => (
                        <input
                          {...p}
                          className="input"
                          value={z.name}
                          maxLength={100}
                          onChange={(e) => update(i, { name: e.target.value })}
                        />
                      )}
                    </Field>
                    <Field label="Kind" hint={ZONE_KINDS.find((k) => k.kind === z.kind)?.hint}>
                      {(p) => (
                        <select
                          {...p}
                          className="select"
                          value={z.kind}
                          onChange={(e) => update(i, { kind: e.target.value as ZoneKind })}
                        >
                          {ZONE_KINDS.map((k) => (
                            <option key={k.kind} value={k.kind}>
                              {k.label}
                            </option>
                          ))}
                        </select>
                      )}
                    </Field>
                    <div className="row">
                      {drawing ? (
                        <Button size="sm" variant="primary" onClick={finishDrawing} disabled={z.polygon.length < 3}>
                          Finish shape
                        </Button>
                      ) : (
                        <Button size="sm" onClick={() => setDrawing(true)}>
                          Add points
                        </Button>
                      )}
                      <Button size="sm" variant="ghost" icon={<Trash2 size={14} />} onClick={() => removeZone(i)}>
                        Delete zone
                      </Button>
                    </div>
                  </div>
                )}
                {problem && (
                  <div className="field-error" role="status">
                    {z.name || 'This zone'} {problem}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}

export function midpoints(polygon: Point[]): Point[] {
  return polygon.map((a, i) => {
    const b = polygon[(i + 1) % polygon.length];
    return [Math.round((a[0] + b[0]) / 2), Math.round((a[1] + b[1]) / 2)];
  });
}

/** Problems that block saving, one line each. */
export function zonesProblems(zones: Zone[], frame?: Size | null): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  zones.forEach((z, i) => {
    const label = z.name.trim() || `Zone ${i + 1}`;
    if (!z.name.trim()) problems.push(`Zone ${i + 1} needs a name`);
    else if (names.has(z.name.trim())) problems.push(`Two zones are called “${z.name.trim()}”`);
    names.add(z.name.trim());
    const p = polygonProblem(z.polygon, frame ?? undefined);
    if (p) problems.push(`${label} ${p}`);
  });
  return problems;
}
