import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../api/types';
import { setReviewQueue } from '../lib/reviewQueue';
import { apiError, baseRoutes, FakeEventSource, makeEvent, mockFetch, renderApp, users } from '../test/utils';

function setup(user = users.reviewer) {
  const events = [makeEvent(), makeEvent(), makeEvent()];
  const byId = Object.fromEntries(events.map((e) => [e.id, e])) as Record<string, AlertEvent>;
  setReviewQueue(events.map((e) => e.id));
  const api = mockFetch(
    baseRoutes({
      'GET /api/events/:id': (call) => byId[call.path.split('/').pop()!] ?? apiError(404, 'not_found', 'no'),
      'POST /api/events/:id/review': (call) => {
        const id = call.path.split('/')[3];
        const d = (call.body as { decision: string }).decision;
        const status = d === 'confirm' ? 'confirmed' : d === 'dismiss' ? 'dismissed' : 'escalated';
        return { ...byId[id], review_status: status };
      },
    }),
  );
  renderApp({ path: `/events/${events[1].id}`, user });
  return { api, events };
}

const heading = (ev: AlertEvent) => screen.findByRole('heading', { name: new RegExp(`track ${ev.track_id}$`) });

describe('review keyboard shortcuts', () => {
  it('c confirms with the CSRF header; the status changes', async () => {
    const { api, events } = setup();
    await heading(events[1]);
    await userEvent.keyboard('c');
    await waitFor(() => expect(api.find('POST', `/api/events/${events[1].id}/review`)).toHaveLength(1));
    const [call] = api.find('POST', `/api/events/${events[1].id}/review`);
    expect(call.body).toEqual({ decision: 'confirm', note: '' });
    expect(call.headers['X-CSRF-Token']).toBe('csrf-test-token');
    expect(await screen.findAllByText('Confirmed')).not.toHaveLength(0);
  });

  it('d and e dismiss and escalate, sending the note', async () => {
    const { api, events } = setup();
    await heading(events[1]);
    await userEvent.type(screen.getByLabelText(/note/i), 'staff member restocking');
    // typing "d" and "e" in the note must not have triggered anything
    expect(api.find('POST', `/api/events/${events[1].id}/review`)).toHaveLength(0);
    fireEvent.keyDown(screen.getByLabelText(/note/i), { key: 'Escape' });
    await userEvent.keyboard('d');
    await waitFor(() => expect(api.find('POST', `/api/events/${events[1].id}/review`)).toHaveLength(1));
    expect(api.find('POST', `/api/events/${events[1].id}/review`)[0].body).toEqual({
      decision: 'dismiss',
      note: 'staff member restocking',
    });
    await screen.findAllByText('Dismissed');
    await userEvent.keyboard('e');
    await waitFor(() => expect(api.find('POST', `/api/events/${events[1].id}/review`)).toHaveLength(2));
    expect(api.find('POST', `/api/events/${events[1].id}/review`)[1].body).toMatchObject({ decision: 'escalate' });
  });

  it('j and k move through the list the reviewer came from', async () => {
    const { events } = setup();
    await heading(events[1]);
    await userEvent.keyboard('j');
    await heading(events[2]);
    await userEvent.keyboard('j'); // last one: stays
    await heading(events[2]);
    await userEvent.keyboard('k');
    await heading(events[1]);
    await userEvent.keyboard('k');
    await heading(events[0]);
  });

  it('? opens the shortcut help, Escape closes it; shortcuts wait while it is open', async () => {
    const { api, events } = setup();
    await heading(events[1]);
    await userEvent.keyboard('?');
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(dialog).toHaveTextContent('Confirm');
    await userEvent.keyboard('c');
    expect(api.find('POST', `/api/events/${events[1].id}/review`)).toHaveLength(0);
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('a viewer has no review shortcuts', async () => {
    const { api, events } = setup(users.viewer);
    await heading(events[1]);
    await userEvent.keyboard('c');
    await userEvent.keyboard('?');
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(dialog).not.toHaveTextContent('Confirm');
    expect(api.find('POST', `/api/events/${events[1].id}/review`)).toHaveLength(0);
  });

  it('a review made elsewhere shows up live', async () => {
    const { events } = setup();
    await heading(events[1]);
    act(() => FakeEventSource.latest().emit('event.reviewed', { ...events[1], review_status: 'escalated' }));
    expect(await screen.findAllByText('Escalated')).not.toHaveLength(0);
  });
});
