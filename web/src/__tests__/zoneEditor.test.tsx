import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Zone } from '../api/types';
import { ZoneEditor, zonesProblems } from '../components/ZoneEditor';

// The SVG is laid out as 1000×500 CSS pixels for a 2000×1000 frame: scale 0.5.
const FRAME = { width: 2000, height: 1000 };

function Harness({ initial, onChange }: { initial: Zone[]; onChange: (z: Zone[]) => void }) {
  const [zones, setZones] = useState(initial);
  return (
    <ZoneEditor
      zones={zones}
      frame={FRAME}
      onChange={(z) => {
        setZones(z);
        onChange(z);
      }}
    />
  );
}

function setup(initial: Zone[] = []) {
  const onChange = vi.fn<(z: Zone[]) => void>();
  render(<Harness initial={initial} onChange={onChange} />);
  const svg = screen.getByTestId('zone-svg');
  vi.spyOn(svg, 'getBoundingClientRect').mockReturnValue({
    left: 0,
    top: 0,
    width: 1000,
    height: 500,
    right: 1000,
    bottom: 500,
    x: 0,
    y: 0,
    toJSON: () => ({}),
  } as DOMRect);
  const last = () => onChange.mock.calls[onChange.mock.calls.length - 1][0];
  // click at CSS pixels (x, y) → frame (2x, 2y)
  const tap = (x: number, y: number) => {
    fireEvent.pointerDown(svg, { clientX: x, clientY: y, button: 0, pointerId: 1 });
    fireEvent.pointerUp(svg, { clientX: x, clientY: y, pointerId: 1 });
  };
  const drag = (from: [number, number], to: [number, number]) => {
    fireEvent.pointerDown(svg, { clientX: from[0], clientY: from[1], button: 0, pointerId: 1 });
    fireEvent.pointerMove(svg, { clientX: (from[0] + to[0]) / 2, clientY: (from[1] + to[1]) / 2, pointerId: 1 });
    fireEvent.pointerMove(svg, { clientX: to[0], clientY: to[1], pointerId: 1 });
    fireEvent.pointerUp(svg, { clientX: to[0], clientY: to[1], pointerId: 1 });
  };
  return { svg, onChange, last, tap, drag };
}

describe('zone editor', () => {
  it('draws a new zone point by point in frame pixels and closes it on the first point', async () => {
    const { last, tap } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'New zone' }));
    expect(last()).toEqual([{ name: 'zone-1', kind: 'shelf', polygon: [] }]);
    tap(100, 100);
    tap(300, 100);
    tap(300, 250);
    tap(100, 250);
    expect(last()[0].polygon).toEqual([
      [200, 200],
      [600, 200],
      [600, 500],
      [200, 500],
    ]);
    expect(screen.getByText(/click the first point or press Enter to finish/i)).toBeInTheDocument();
    tap(102, 101); // on the first point: finishes, adds nothing
    expect(last()[0].polygon).toHaveLength(4);
    expect(screen.getByText(/Drag points to move them/)).toBeInTheDocument();
    expect(document.querySelector('polygon')).toHaveAttribute('points', '200,200 600,200 600,500 200,500');
  });

  it('drags a point, inserts one on an edge handle and moves the whole zone', () => {
    const zone: Zone = { name: 'shelf-a', kind: 'shelf', polygon: [[200, 200], [600, 200], [600, 500], [200, 500]] };
    const { last, drag } = setup([zone]);
    drag([300, 250], [350, 300]); // vertex (600,500) → (700,600)
    expect(last()[0].polygon).toEqual([[200, 200], [600, 200], [700, 600], [200, 500]]);
    // the midpoint handle of the top edge sits at frame (400,200) = CSS (200,100)
    drag([200, 100], [200, 50]);
    expect(last()[0].polygon).toEqual([[200, 200], [400, 100], [600, 200], [700, 600], [200, 500]]);
    // drag inside the zone moves it all by (+100, +100) frame px
    drag([200, 175], [250, 225]);
    expect(last()[0].polygon).toEqual([[300, 300], [500, 200], [700, 300], [800, 700], [300, 600]]);
  });

  it('changes name and kind, removes the selected point with Delete, nudges with arrows', async () => {
    const zone: Zone = { name: 'z', kind: 'shelf', polygon: [[200, 200], [600, 200], [600, 500], [200, 500]] };
    const { last, svg } = setup([zone]);
    await userEvent.selectOptions(screen.getByLabelText('Kind'), 'exit');
    expect(last()[0].kind).toBe('exit');
    const name = screen.getByLabelText('Name');
    await userEvent.clear(name);
    await userEvent.type(name, 'front exit');
    expect(last()[0].name).toBe('front exit');

    fireEvent.pointerDown(svg, { clientX: 300, clientY: 100, button: 0, pointerId: 1 }); // select vertex 1
    fireEvent.pointerUp(svg, { pointerId: 1 });
    const canvas = screen.getByRole('application');
    fireEvent.keyDown(canvas, { key: 'ArrowRight', shiftKey: true });
    expect(last()[0].polygon[1]).toEqual([610, 200]);
    fireEvent.keyDown(canvas, { key: 'Delete' });
    expect(last()[0].polygon).toEqual([[200, 200], [600, 500], [200, 500]]);
  });

  it('selects a zone by clicking in it and deletes it', async () => {
    const zones: Zone[] = [
      { name: 'a', kind: 'shelf', polygon: [[0, 0], [400, 0], [400, 400], [0, 400]] },
      { name: 'b', kind: 'checkout', polygon: [[1000, 0], [1400, 0], [1400, 400], [1000, 400]] },
    ];
    const { last, tap } = setup(zones);
    tap(600, 100);
    const list = screen.getByRole('list');
    expect(within(list).getByRole('button', { name: /b · 4 pts/ })).toHaveAttribute('aria-pressed', 'true');
    await userEvent.click(screen.getByRole('button', { name: 'Delete zone' }));
    expect(last().map((z) => z.name)).toEqual(['a']);
  });

  it('reports problems that block saving', () => {
    expect(
      zonesProblems(
        [
          { name: 'a', kind: 'shelf', polygon: [[0, 0], [10, 0]] },
          { name: 'a', kind: 'exit', polygon: [[0, 0], [100, 100], [100, 0], [0, 100]] },
          { name: ' ', kind: 'exit', polygon: [[0, 0], [100, 0], [0, 100]] },
        ],
        FRAME,
      ),
    ).toEqual(['a needs at least 3 points', 'Two zones are called “a”', 'a crosses itself', 'Zone 3 needs a name']);
  });
});
