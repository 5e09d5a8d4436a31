import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Camera, RetentionSchedule } from '../api/types';
import { baseRoutes, cameras, mockFetch, renderApp, users } from '../test/utils';

const blurredDoor: Camera = { ...cameras[0], settings: { analysis_fps: 5, privacy: 'blurred' } };
const camerasPage = { items: [blurredDoor, cameras[1]], total: 2, next: null };

const retention = (camera_id: string): RetentionSchedule => ({
  camera_id,
  privacy: camera_id === 'door' ? 'blurred' : 'full',
  policy: { max_age_days: 30, min_free_bytes: 5 * 1024 ** 3, protected: ['confirmed', 'escalated'] },
  stored: { events: 12, objects: 36, bytes: 48 * 1024 ** 2 },
  protected: { events: 2, objects: 6, bytes: 8 * 1024 ** 2 },
  due: { events: 0, objects: 0, bytes: 0 },
  scheduled: [
    { day: '2026-12-04', events: 3, objects: 9, bytes: 12 * 1024 ** 2 },
    { day: '2026-12-06', events: 1, objects: 3, bytes: 4 * 1024 ** 2 },
  ],
  later: { events: 6, objects: 18, bytes: 24 * 1024 ** 2 },
});

describe('privacy', () => {
  it('the camera form shows the privacy mode with one line per mode, and a change keeps the other settings', async () => {
    const user = userEvent.setup();
    const { find } = mockFetch(
      baseRoutes({ 'GET /api/cameras': camerasPage, 'PATCH /api/cameras/door': { ...blurredDoor, settings: { analysis_fps: 5, privacy: 'pose_only' } } }),
    );
    renderApp({ path: '/cameras', user: users.admin });
    const card = await screen.findByRole('article', { name: 'Front door' });
    expect(within(card).getByTitle('Privacy mode')).toHaveTextContent('Blurred');
    expect(within(screen.getByRole('article', { name: 'Aisle 3' })).getByTitle('Privacy mode')).toHaveTextContent('Full');

    await user.click(within(card).getByRole('button', { name: 'Edit' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit Front door' });
    const group = within(dialog).getByRole('group', { name: 'Privacy mode' });
    expect(within(group).getByRole('radio', { name: /Blurred/ })).toBeChecked();
    expect(group).toHaveTextContent('faces blurred');
    expect(group).toHaveTextContent('pixelated except the hands');
    expect(group).toHaveTextContent('no camera pixel of a person');
    await user.click(within(group).getByRole('radio', { name: /Pose only/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(find('PATCH', '/api/cameras/door')).toHaveLength(1));
    expect(find('PATCH', '/api/cameras/door')[0].body).toEqual({
      name: 'Front door',
      source_url: blurredDoor.source_url,
      enabled: true,
      settings: { analysis_fps: 5, privacy: 'pose_only' },
    });
  });

  it('saving without changing the mode leaves the settings (and the worker) alone; a new camera sends its mode', async () => {
    const user = userEvent.setup();
    const { find } = mockFetch(
      baseRoutes({ 'GET /api/cameras': camerasPage, 'PATCH /api/cameras/door': blurredDoor, 'POST /api/cameras': cameras[1] }),
    );
    renderApp({ path: '/cameras', user: users.admin });
    const card = await screen.findByRole('article', { name: 'Front door' });
    await user.click(within(card).getByRole('button', { name: 'Edit' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(find('PATCH', '/api/cameras/door')).toHaveLength(1));
    expect(find('PATCH', '/api/cameras/door')[0].body).not.toHaveProperty('settings');

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    await user.click(screen.getByRole('button', { name: 'Add camera' }));
    const dialog = screen.getByRole('dialog', { name: 'Add camera' });
    await user.type(within(dialog).getByLabelText('Name'), 'Till');
    await user.type(within(dialog).getByLabelText('Source'), 'rtsp://till/stream');
    expect(within(dialog).getByRole('radio', { name: /Full/ })).toBeChecked();
    await user.click(within(dialog).getByRole('radio', { name: /Pose only/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Add camera' }));
    await waitFor(() => expect(find('POST', '/api/cameras')).toHaveLength(1));
    expect(find('POST', '/api/cameras')[0].body).toEqual({
      id: 'till',
      name: 'Till',
      source_url: 'rtsp://till/stream',
      enabled: true,
      settings: { privacy: 'pose_only' },
    });
  });

  it('Settings → Retention shows what each camera will delete when', async () => {
    mockFetch(
      baseRoutes({
        'GET /api/cameras': camerasPage,
        'GET /api/cameras/door/retention': retention('door'),
        'GET /api/cameras/aisle-3/retention': { ...retention('aisle-3'), scheduled: [], later: { events: 0, objects: 0, bytes: 0 } },
      }),
    );
    renderApp({ path: '/settings?tab=retention', user: users.admin });
    const door = await screen.findByRole('region', { name: 'Retention of Front door' });
    const schedule = await within(door).findByRole('table', { name: 'Deletion schedule of Front door' });
    const rows = within(schedule).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('2026');
    expect(rows[0]).toHaveTextContent('12 MB');
    expect(door).toHaveTextContent('deleted after 30 days');
    expect(door).toHaveTextContent('Kept until deleted by hand: confirmed, escalated');
    expect(door).toHaveTextContent('Blurred');
    expect(door).toHaveTextContent('Later: 6 alerts');
    const aisle = screen.getByRole('region', { name: 'Retention of Aisle 3' });
    expect(await within(aisle).findByText('Nothing is scheduled for deletion.')).toBeInTheDocument();
  });

  it('Settings → Entrance notice shows the Markdown as it is', async () => {
    const user = userEvent.setup();
    const md = '# CCTV in operation\n\n**Controller:** Example Retail\n- Front door: blurred\n';
    mockFetch(
      baseRoutes({
        'GET /api/channels': { items: [], total: 0, next: null },
        'GET /api/privacy/signage': () => new Response(md, { status: 200, headers: { 'Content-Type': 'text/markdown' } }),
      }),
    );
    renderApp({ path: '/settings', user: users.admin });
    await user.click(await screen.findByRole('tab', { name: 'Entrance notice' }));
    const pre = await screen.findByLabelText('Notice text');
    expect(pre.tagName).toBe('PRE');
    expect(pre.textContent).toBe(md);
  });
});
