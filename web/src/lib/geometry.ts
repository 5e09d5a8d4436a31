/**
 * Plain geometry for the zone editor. Zones are polygons in frame pixels; the editor shows
 * the frame scaled into an element, so pointer positions are mapped back to frame pixels.
 */
import type { Point } from '../api/types';

export interface Size {
  width: number;
  height: number;
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Maps a client (pointer) position to frame pixels, for a frame of `frame` size drawn
 * inside `rect` with `object-fit: contain` (letterboxed, centred). Clamped to the frame.
 */
export function clientToFrame(clientX: number, clientY: number, rect: Rect, frame: Size): Point {
  const scale = Math.min(rect.width / frame.width, rect.height / frame.height);
  const drawnW = frame.width * scale;
  const drawnH = frame.height * scale;
  const offsetX = rect.left + (rect.width - drawnW) / 2;
  const offsetY = rect.top + (rect.height - drawnH) / 2;
  const x = (clientX - offsetX) / scale;
  const y = (clientY - offsetY) / scale;
  return [clamp(Math.round(x), 0, frame.width), clamp(Math.round(y), 0, frame.height)];
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Distance from `p` to the segment `a`–`b`. */
export function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return distance(p, a);
  const t = clamp(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2, 0, 1);
  return distance(p, [a[0] + t * dx, a[1] + t * dy]);
}

/** Index of the vertex within `radius` of `p` (nearest), or -1. */
export function hitVertex(polygon: Point[], p: Point, radius: number): number {
  let best = -1;
  let bestD = radius;
  polygon.forEach((v, i) => {
    const d = distance(v, p);
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/**
 * Where a new point `p` goes in `polygon`: after the vertex that starts the nearest edge
 * (the closing edge included), so clicking near an edge splits that edge. With fewer than
 * three points, new points are appended.
 */
export function insertionIndex(polygon: Point[], p: Point): number {
  if (polygon.length < 3) return polygon.length;
  let best = polygon.length;
  let bestD = Infinity;
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i];
    const b = polygon[(i + 1) % polygon.length];
    const d = distanceToSegment(p, a, b);
    if (d < bestD) {
      bestD = d;
      best = i + 1;
    }
  }
  return best;
}

export function insertPoint(polygon: Point[], p: Point, index = insertionIndex(polygon, p)): Point[] {
  return [...polygon.slice(0, index), p, ...polygon.slice(index)];
}

export function movePoint(polygon: Point[], index: number, p: Point): Point[] {
  return polygon.map((v, i) => (i === index ? p : v));
}

export function removePoint(polygon: Point[], index: number): Point[] {
  return polygon.filter((_, i) => i !== index);
}

/** Moves every vertex by (dx, dy), keeping the polygon inside the frame. */
export function translatePolygon(polygon: Point[], dx: number, dy: number, frame: Size): Point[] {
  const xs = polygon.map((v) => v[0]);
  const ys = polygon.map((v) => v[1]);
  const cdx = clamp(dx, -Math.min(...xs), frame.width - Math.max(...xs));
  const cdy = clamp(dy, -Math.min(...ys), frame.height - Math.max(...ys));
  return polygon.map(([x, y]) => [x + cdx, y + cdy]);
}

/** Signed area (shoelace); positive when the vertices run clockwise in image coordinates. */
export function signedArea(polygon: Point[]): number {
  let s = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [x1, y1] = polygon[i];
    const [x2, y2] = polygon[(i + 1) % polygon.length];
    s += x1 * y2 - x2 * y1;
  }
  return s / 2;
}

export function area(polygon: Point[]): number {
  return Math.abs(signedArea(polygon));
}

export function centroid(polygon: Point[]): Point {
  const a = signedArea(polygon);
  if (Math.abs(a) < 1e-9) {
    const n = polygon.length || 1;
    return [polygon.reduce((s, v) => s + v[0], 0) / n, polygon.reduce((s, v) => s + v[1], 0) / n];
  }
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [x1, y1] = polygon[i];
    const [x2, y2] = polygon[(i + 1) % polygon.length];
    const f = x1 * y2 - x2 * y1;
    cx += (x1 + x2) * f;
    cy += (y1 + y2) * f;
  }
  return [cx / (6 * a), cy / (6 * a)];
}

/** Ray casting; points on the boundary may go either way. */
export function pointInPolygon(p: Point, polygon: Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function orientation(a: Point, b: Point, c: Point): number {
  const v = (b[1] - a[1]) * (c[0] - b[0]) - (b[0] - a[0]) * (c[1] - b[1]);
  return v === 0 ? 0 : v > 0 ? 1 : 2;
}

function onSegment(a: Point, b: Point, c: Point): boolean {
  return (
    b[0] <= Math.max(a[0], c[0]) &&
    b[0] >= Math.min(a[0], c[0]) &&
    b[1] <= Math.max(a[1], c[1]) &&
    b[1] >= Math.min(a[1], c[1])
  );
}

export function segmentsIntersect(p1: Point, q1: Point, p2: Point, q2: Point): boolean {
  const o1 = orientation(p1, q1, p2);
  const o2 = orientation(p1, q1, q2);
  const o3 = orientation(p2, q2, p1);
  const o4 = orientation(p2, q2, q1);
  if (o1 !== o2 && o3 !== o4) return true;
  if (o1 === 0 && onSegment(p1, p2, q1)) return true;
  if (o2 === 0 && onSegment(p1, q2, q1)) return true;
  if (o3 === 0 && onSegment(p2, p1, q2)) return true;
  if (o4 === 0 && onSegment(p2, q1, q2)) return true;
  return false;
}

/** True when two non-adjacent edges cross. */
export function isSelfIntersecting(polygon: Point[]): boolean {
  const n = polygon.length;
  if (n < 4) return false;
  for (let i = 0; i < n; i++) {
    const a1 = polygon[i];
    const a2 = polygon[(i + 1) % n];
    for (let j = i + 1; j < n; j++) {
      if (j === i || (j + 1) % n === i || (i + 1) % n === j) continue; // adjacent edges share a vertex
      const b1 = polygon[j];
      const b2 = polygon[(j + 1) % n];
      if (segmentsIntersect(a1, a2, b1, b2)) return true;
    }
  }
  return false;
}

/** Most points a zone may have; the API refuses more (`MAX_POINTS` in service/geometry.py). */
export const MAX_POLYGON_POINTS = 256;

/** Why a zone polygon can't be saved, or null when it is fine. */
export function polygonProblem(polygon: Point[], frame?: Size): string | null {
  if (polygon.length < 3) return 'needs at least 3 points';
  if (polygon.length > MAX_POLYGON_POINTS) return `has more than ${MAX_POLYGON_POINTS} points`;
  if (isSelfIntersecting(polygon)) return 'crosses itself';
  if (area(polygon) < 1) return 'has no area';
  if (frame && polygon.some(([x, y]) => x < 0 || y < 0 || x > frame.width || y > frame.height))
    return 'has points outside the frame';
  return null;
}

export function toSvgPoints(polygon: Point[]): string {
  return polygon.map(([x, y]) => `${x},${y}`).join(' ');
}
