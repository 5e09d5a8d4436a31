import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { useFormSubmit } from '../hooks/useFormSubmit';

const event = () => ({ preventDefault: vi.fn() });

describe('useFormSubmit', () => {
  it('validation errors are shown and stop the call', async () => {
    const { result } = renderHook(() => useFormSubmit());
    const action = vi.fn(async () => {});
    const ev = event();
    await act(() => result.current.run(ev, { name: 'Enter a name.' }, action));
    expect(ev.preventDefault).toHaveBeenCalled();
    expect(action).not.toHaveBeenCalled();
    expect(result.current.errors).toEqual({ name: 'Enter a name.' });
    expect(result.current.formError).toBeNull();
    expect(result.current.busy).toBe(false);
  });

  it('a valid submit clears the errors and calls through', async () => {
    const { result } = renderHook(() => useFormSubmit());
    await act(() => result.current.run(event(), { name: 'Enter a name.' }, async () => {}));
    await act(() =>
      result.current.run(event(), {}, async () => {
        throw new ApiError(400, 'invalid', 'Check the form.', { name: 'Taken.' });
      }),
    );
    expect(result.current.formError).toBe('Check the form.');
    const action = vi.fn(async () => 'saved');
    await act(() => result.current.run(event(), {}, action));
    expect(action).toHaveBeenCalledTimes(1);
    expect(result.current.errors).toEqual({});
    expect(result.current.formError).toBeNull();
  });

  it('an ApiError becomes the field errors and the form error', async () => {
    const { result } = renderHook(() => useFormSubmit());
    await act(() =>
      result.current.run(event(), {}, async () => {
        throw new ApiError(422, 'invalid', 'The channel is not valid.', { 'config.url': 'Not a URL.' });
      }),
    );
    expect(result.current.errors).toEqual({ 'config.url': 'Not a URL.' });
    expect(result.current.formError).toBe('The channel is not valid.');
    expect(result.current.busy).toBe(false);
  });

  it('mapFields rewrites the ApiError fields', async () => {
    const { result } = renderHook(() =>
      useFormSubmit({ mapFields: (f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k.split('.').pop()!, v])) }),
    );
    await act(() =>
      result.current.run(event(), {}, async () => {
        throw new ApiError(422, 'invalid', 'Bad.', { 'config.url': 'Not a URL.' });
      }),
    );
    expect(result.current.errors).toEqual({ url: 'Not a URL.' });
  });

  it('anything else thrown becomes the form error as text', async () => {
    const { result } = renderHook(() => useFormSubmit());
    await act(() =>
      result.current.run(event(), {}, async () => {
        throw new TypeError('boom');
      }),
    );
    expect(result.current.formError).toBe('TypeError: boom');
    expect(result.current.errors).toEqual({});
    expect(result.current.busy).toBe(false);
  });

  it('is busy while the call runs, and not after', async () => {
    const { result } = renderHook(() => useFormSubmit());
    let finish!: () => void;
    const pending = new Promise<void>((resolve) => (finish = resolve));
    let done!: Promise<void>;
    expect(result.current.busy).toBe(false);
    act(() => {
      done = result.current.run(event(), {}, () => pending);
    });
    expect(result.current.busy).toBe(true);
    await act(async () => {
      finish();
      await done;
    });
    expect(result.current.busy).toBe(false);
  });

  it('is not busy after a failed call either', async () => {
    const { result } = renderHook(() => useFormSubmit());
    let fail!: (err: unknown) => void;
    const pending = new Promise<void>((_, reject) => (fail = reject));
    let done!: Promise<void>;
    act(() => {
      done = result.current.run(event(), {}, () => pending);
    });
    expect(result.current.busy).toBe(true);
    await act(async () => {
      fail(new ApiError(0, 'network', 'The ShopGuard service cannot be reached.'));
      await done;
    });
    expect(result.current.busy).toBe(false);
    expect(result.current.formError).toBe('The ShopGuard service cannot be reached.');
  });
});
