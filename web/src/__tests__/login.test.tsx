import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { getCsrfToken } from '../api/client';
import { apiError, baseRoutes, mockFetch, renderApp, users } from '../test/utils';

describe('login form', () => {
  it('asks for both fields before calling the API', async () => {
    const api = mockFetch(baseRoutes({ 'GET /api/auth/me': apiError(401, 'unauthorized', 'no session') }));
    renderApp({ path: '/live' });
    const submit = await screen.findByRole('button', { name: 'Sign in' });
    await userEvent.click(submit);
    expect(screen.getByText('Enter your user name.')).toBeInTheDocument();
    expect(screen.getByText('Enter your password.')).toBeInTheDocument();
    expect(screen.getByLabelText('User name')).toHaveAttribute('aria-invalid', 'true');
    expect(api.find('POST', '/api/auth/login')).toHaveLength(0);
  });

  it('signs in, keeps the CSRF token and opens the page asked for', async () => {
    const api = mockFetch(
      baseRoutes({
        'GET /api/auth/me': apiError(401, 'unauthorized', 'no session'),
        'POST /api/auth/login': { user: users.reviewer, csrf_token: 'tok-123' },
      }),
    );
    renderApp({ path: '/alerts' });
    await userEvent.type(await screen.findByLabelText('User name'), ' rita ');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Alerts' })).toBeInTheDocument();
    const [login] = api.find('POST', '/api/auth/login');
    expect(login.body).toEqual({ username: 'rita', password: 'correct horse' });
    expect(getCsrfToken()).toBe('tok-123');
    expect(screen.getByText('rita')).toBeInTheDocument();
  });

  it('says so when the password is wrong and clears it', async () => {
    mockFetch(
      baseRoutes({
        'GET /api/auth/me': apiError(401, 'unauthorized', 'no session'),
        'POST /api/auth/login': apiError(401, 'bad_credentials', 'wrong user name or password'),
      }),
    );
    renderApp({ path: '/live' });
    await userEvent.type(await screen.findByLabelText('User name'), 'rita');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong user name or password.');
    await waitFor(() => expect(screen.getByLabelText('Password')).toHaveValue(''));
  });

  it('skips the form when the session cookie is still valid', async () => {
    mockFetch(baseRoutes({ 'GET /api/auth/me': { user: users.admin, csrf_token: 'x' } }));
    renderApp({ path: '/login' });
    expect(await screen.findByRole('heading', { name: 'Live' })).toBeInTheDocument();
  });
});
