import type { Keypoint } from '../api/types';
import { edgeSide, KEYPOINT_NAMES, SIDE_COLORS, SKELETON_EDGES } from '../lib/skeleton';

/**
 * The person's pose at the peak drawn as SVG over the snapshot; the SVG's viewBox is the
 * snapshot's pixel size, so keypoints in frame pixels land on the right place at any scale.
 */
export function SkeletonOverlay({
  keypoints,
  box,
  width,
  height,
  minConfidence = 0.3,
}: {
  keypoints: Keypoint[];
  box?: [number, number, number, number] | null;
  width: number;
  height: number;
  minConfidence?: number;
}) {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 220));
  const ok = (i: number) => keypoints[i] && keypoints[i][2] >= minConfidence;
  return (
    <svg
      className="skeleton-overlay"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="xMidYMid meet"
      role="img"
      aria-label="Pose of the person at the peak score"
    >
      {box && (
        <rect
          x={box[0]}
          y={box[1]}
          width={box[2] - box[0]}
          height={box[3] - box[1]}
          fill="none"
          stroke="#ff5d5d"
          strokeWidth={stroke}
          strokeDasharray={`${stroke * 4} ${stroke * 2}`}
        />
      )}
      {SKELETON_EDGES.filter(([a, b]) => ok(a) && ok(b)).map(([a, b]) => (
        <line
          key={`${a}-${b}`}
          x1={keypoints[a][0]}
          y1={keypoints[a][1]}
          x2={keypoints[b][0]}
          y2={keypoints[b][1]}
          stroke={SIDE_COLORS[edgeSide(a, b)]}
          strokeWidth={stroke}
          strokeLinecap="round"
        />
      ))}
      {keypoints.map((k, i) =>
        ok(i) ? (
          <circle key={i} cx={k[0]} cy={k[1]} r={stroke * 1.4} fill="#fff" stroke="#000" strokeWidth={stroke / 2}>
            <title>
              {KEYPOINT_NAMES[i]} ({Math.round(k[2] * 100)}%)
            </title>
          </circle>
        ) : null,
      )}
    </svg>
  );
}
