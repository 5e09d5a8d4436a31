import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { can } from '../auth/permissions';
import { baseRoutes, makeEvent, mockFetch, renderApp, users } from '../test/utils';

describe('role-aware rendering', () => {
  it('permission table', () => {
    expect(can(users.admin, 'settings')).toBe(true);
    expect(can(users.reviewer, 'review')).toBe(true);
    expect(can(users.reviewer, 'settings')).toBe(false);
    expect(can(users.viewer, 'review')).toBe(false);
    expect(can(users.viewer, 'manageCameras')).toBe(false);
    expect(can(null, 'viewSystem')).toBe(false);
    expect(can(users.admin, 'manageModels')).toBe(true);
    expect(can(users.reviewer, 'manageModels')).toBe(false);
    expect(can(users.reviewer, 'reportMissed')).toBe(true);
    expect(can(users.viewer, 'reportMissed')).toBe(false);
    expect(can(users.admin, 'audit')).toBe(true);
    expect(can(users.reviewer, 'audit')).toBe(false);
  });

  it('a viewer gets no review buttons and no admin screens', async () => {
    const ev = makeEvent();
    mockFetch(baseRoutes({ [`GET /api/events/${ev.id}`]: ev }));
    renderApp({ path: `/events/${ev.id}`, user: users.viewer });
    expect(await screen.findByText(/Your role can watch alerts but not review them/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /confirm/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /dismiss/i })).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/note/i)).not.toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(nav).toHaveTextContent('Live');
    expect(nav).toHaveTextContent('Alerts');
    expect(nav).not.toHaveTextContent('Settings');
    expect(nav).not.toHaveTextContent('Cameras');
  });

  it('a viewer who types the settings address lands on the live view', async () => {
    mockFetch(baseRoutes());
    renderApp({ path: '/settings', user: users.viewer });
    expect(await screen.findByRole('heading', { name: 'Live' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Settings' })).not.toBeInTheDocument();
  });

  it('a reviewer can review but not manage', async () => {
    const ev = makeEvent();
    mockFetch(baseRoutes({ [`GET /api/events/${ev.id}`]: ev }));
    renderApp({ path: `/events/${ev.id}`, user: users.reviewer });
    expect(await screen.findByRole('button', { name: /confirm/i })).toBeEnabled();
    expect(screen.getByRole('button', { name: /dismiss/i })).toBeEnabled();
    expect(screen.getByRole('button', { name: /escalate/i })).toBeEnabled();
    expect(screen.getByRole('navigation', { name: 'Main' })).not.toHaveTextContent('Settings');
  });

  it('a reviewer can report a missed theft but has no model registry actions', async () => {
    mockFetch(baseRoutes({ 'GET /api/models/thresholds': { version: 'v1', default: 0.6, cameras: { door: 0.6 }, chosen: {} } }));
    renderApp({ path: '/live', user: users.reviewer });
    expect(await screen.findByRole('button', { name: 'Report a missed theft on Front door' })).toBeInTheDocument();
    await userEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: /System/ }));
    expect(await screen.findByRole('table', { name: 'Thresholds per camera' })).toBeInTheDocument();
    for (const name of [/Promote/, /Roll back/, /Edit thresholds/, /Export/])
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
  });

  it('an admin sees every screen', async () => {
    mockFetch(baseRoutes({ 'GET /api/channels': { items: [], total: 0, next: null } }));
    renderApp({ path: '/settings', user: users.admin });
    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    for (const item of ['Live', 'Alerts', 'Cameras', 'Settings', 'System']) expect(nav).toHaveTextContent(item);
    expect(await screen.findByText('No alert channels')).toBeInTheDocument();
  });
});
