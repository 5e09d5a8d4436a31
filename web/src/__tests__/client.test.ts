import { describe, expect, it, vi } from 'vitest';
import { ApiError, api, buildQuery, dispositionFilename, setCsrfToken, setUnauthorizedHandler } from '../api/client';
import { apiError, makeEvent, mockFetch } from '../test/utils';

describe('API client', () => {
  it('builds queries without empty values', () => {
    expect(buildQuery({ camera: 'door', status: '', min_score: 0.5, cursor: undefined, since: null })).toBe(
      '?camera=door&min_score=0.5',
    );
    expect(buildQuery({})).toBe('');
  });

  it('sends the CSRF token on writes only, and same-origin cookies', async () => {
    const ev = makeEvent();
    const m = mockFetch({ 'GET /api/events/:id': ev, 'POST /api/events/:id/review': ev });
    setCsrfToken('abc');
    await api.events.get(ev.id);
    await api.events.review(ev.id, 'dismiss', 'ok');
    expect(m.calls[0].headers['X-CSRF-Token']).toBeUndefined();
    expect(m.calls[1].headers['X-CSRF-Token']).toBe('abc');
    expect(m.calls[1].headers['Content-Type']).toBe('application/json');
    expect(m.fetchMock.mock.calls[0][1]).toMatchObject({ credentials: 'same-origin' });
  });

  it('turns the error body into an ApiError with field messages', async () => {
    mockFetch({ 'POST /api/cameras': apiError(422, 'invalid', 'camera is invalid', { id: 'already used' }) });
    const err = await api.cameras.create({ id: 'door', name: 'Door', source_url: 'x', enabled: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'invalid', message: 'camera is invalid', fields: { id: 'already used' } });
  });

  it('calls the unauthorized handler on 401, except for login and me', async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    mockFetch({
      'GET /api/events': apiError(401, 'unauthorized'),
      'GET /api/auth/me': apiError(401, 'unauthorized'),
    });
    await expect(api.auth.me()).rejects.toBeInstanceOf(ApiError);
    expect(handler).not.toHaveBeenCalled();
    await expect(api.events.list()).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledTimes(1);
    setUnauthorizedHandler(null);
  });

  it('accepts bare arrays or pages for lists', async () => {
    mockFetch({ 'GET /api/cameras': [{ id: 'a', name: 'A' }], 'GET /api/channels': { items: [{ name: 'x' }], total: 1, next: null } });
    expect(await api.cameras.list()).toEqual([{ id: 'a', name: 'A' }]);
    expect(await api.channels.list()).toEqual([{ name: 'x' }]);
  });

  it('takes a download’s file name from Content-Disposition', () => {
    expect(dispositionFilename('attachment; filename="shopguard-audit-20261203T080000Z.csv"', 'x')).toBe(
      'shopguard-audit-20261203T080000Z.csv',
    );
    expect(dispositionFilename("attachment; filename*=UTF-8''caf%C3%A9.zip", 'x')).toBe('café.zip');
    expect(dispositionFilename('attachment; filename=plain.json', 'x')).toBe('plain.json');
    expect(dispositionFilename('attachment; filename="../../etc/passwd"', 'x')).toBe('passwd');
    expect(dispositionFilename(null, 'fallback.zip')).toBe('fallback.zip');
  });

  it('a file request that fails gives the API’s error', async () => {
    mockFetch({ 'POST /api/dataset/export': apiError(403, 'forbidden', 'admins only') });
    await expect(api.dataset.export()).rejects.toMatchObject({ status: 403, code: 'forbidden', message: 'admins only' });
  });
});
