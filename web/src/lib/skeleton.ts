/** COCO-17 layout, as in `src/shopguard/keypoints.py`, and the server's overlay colours. */
export const KEYPOINT_NAMES = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;

export const SKELETON_EDGES: ReadonlyArray<readonly [number, number]> = [
  [15, 13],
  [13, 11],
  [16, 14],
  [14, 12],
  [11, 12],
  [5, 11],
  [6, 12],
  [5, 6],
  [5, 7],
  [6, 8],
  [7, 9],
  [8, 10],
  [1, 2],
  [0, 1],
  [0, 2],
  [1, 3],
  [2, 4],
];

/** Same colours as `vision/draw.py` (there in BGR): left orange, right blue, across green. */
export const SIDE_COLORS = { left: '#ffa500', right: '#0080ff', mid: '#00dc00' } as const;

/** Zone colours as `vision/draw.py` draws them on the live view. */
export const ZONE_COLORS: Record<string, string> = { shelf: '#00aaff', checkout: '#00c800', exit: '#e60000' };

export function sideOf(i: number): 'left' | 'right' | 'mid' {
  if (i === 0) return 'mid';
  return i % 2 === 1 ? 'left' : 'right';
}

export function edgeSide(a: number, b: number): 'left' | 'right' | 'mid' {
  const sa = sideOf(a);
  return sa === sideOf(b) ? sa : 'mid';
}
