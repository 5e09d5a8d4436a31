import { describe, expect, it } from 'vitest';
import type { Point } from '../api/types';
import {
  area,
  centroid,
  clientToFrame,
  distanceToSegment,
  hitVertex,
  insertionIndex,
  insertPoint,
  isSelfIntersecting,
  MAX_POLYGON_POINTS,
  pointInPolygon,
  polygonProblem,
  translatePolygon,
} from '../lib/geometry';

const square: Point[] = [
  [0, 0],
  [100, 0],
  [100, 100],
  [0, 100],
];

describe('zone geometry', () => {
  it('maps pointer positions to frame pixels through object-fit: contain', () => {
    // a 1920×1080 frame in an 800×600 box: scale 800/1920, drawn 800×450, 75 px bars top and bottom
    const rect = { left: 10, top: 20, width: 800, height: 600 };
    const frame = { width: 1920, height: 1080 };
    expect(clientToFrame(10, 95, rect, frame)).toEqual([0, 0]);
    expect(clientToFrame(810, 545, rect, frame)).toEqual([1920, 1080]);
    expect(clientToFrame(410, 320, rect, frame)).toEqual([960, 540]);
    // clicks on the letterbox bars clamp onto the frame edge
    expect(clientToFrame(410, 25, rect, frame)).toEqual([960, 0]);
    // pillarbox: a 4:3 frame in a wide box
    expect(clientToFrame(500, 0, { left: 0, top: 0, width: 1000, height: 300 }, { width: 400, height: 300 })).toEqual([200, 0]);
  });

  it('areas, centroids, containment', () => {
    expect(area(square)).toBe(10000);
    expect(area([...square].reverse())).toBe(10000);
    expect(centroid(square)).toEqual([50, 50]);
    expect(pointInPolygon([50, 50], square)).toBe(true);
    expect(pointInPolygon([150, 50], square)).toBe(false);
    const L: Point[] = [
      [0, 0],
      [100, 0],
      [100, 40],
      [40, 40],
      [40, 100],
      [0, 100],
    ];
    expect(pointInPolygon([70, 70], L)).toBe(false);
    expect(pointInPolygon([20, 70], L)).toBe(true);
  });

  it('distance to a segment and vertex hits', () => {
    expect(distanceToSegment([50, 10], [0, 0], [100, 0])).toBe(10);
    expect(distanceToSegment([-30, 40], [0, 0], [100, 0])).toBe(50);
    expect(hitVertex(square, [97, 4], 6)).toBe(1);
    expect(hitVertex(square, [50, 50], 6)).toBe(-1);
  });

  it('inserts a new point into the nearest edge, the closing edge included', () => {
    expect(insertionIndex(square, [50, -5])).toBe(1); // top edge 0→1
    expect(insertionIndex(square, [105, 50])).toBe(2); // right edge 1→2
    expect(insertionIndex(square, [-5, 50])).toBe(4); // closing edge 3→0
    expect(insertPoint(square, [50, -5])).toEqual([[0, 0], [50, -5], [100, 0], [100, 100], [0, 100]]);
    // while drawing (fewer than three points) points are appended
    expect(insertionIndex([[0, 0], [10, 0]], [5, 5])).toBe(2);
  });

  it('finds self-intersections (a bow tie) but not in simple polygons', () => {
    const bowTie: Point[] = [
      [0, 0],
      [100, 100],
      [100, 0],
      [0, 100],
    ];
    expect(isSelfIntersecting(bowTie)).toBe(true);
    expect(isSelfIntersecting(square)).toBe(false);
    expect(polygonProblem(bowTie)).toBe('crosses itself');
  });

  it('says why a polygon cannot be saved', () => {
    expect(polygonProblem([[0, 0], [1, 1]])).toBe('needs at least 3 points');
    const circle = (n: number): Point[] =>
      Array.from({ length: n }, (_, i) => {
        const a = (2 * Math.PI * i) / n;
        return [500 + 400 * Math.cos(a), 500 + 400 * Math.sin(a)];
      });
    expect(polygonProblem(circle(MAX_POLYGON_POINTS))).toBeNull();
    expect(polygonProblem(circle(MAX_POLYGON_POINTS + 1))).toBe('has more than 256 points');
    expect(polygonProblem([[0, 0], [50, 50], [100, 100]])).toBe('has no area');
    expect(polygonProblem(square, { width: 80, height: 200 })).toBe('has points outside the frame');
    expect(polygonProblem(square, { width: 640, height: 480 })).toBeNull();
  });

  it('moves a whole polygon but keeps it inside the frame', () => {
    const frame = { width: 200, height: 150 };
    expect(translatePolygon(square, 30, 20, frame)[0]).toEqual([30, 20]);
    const moved = translatePolygon(square, 500, -500, frame);
    expect(moved).toEqual([[100, 0], [200, 0], [200, 100], [100, 100]]);
  });
});
