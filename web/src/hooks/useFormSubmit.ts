import { useState, type Dispatch, type SetStateAction } from 'react';
import { ApiError } from '../api/client';

/** Messages by field key (`name`, `cameras.door`, ...), as shown under each field. */
export type FieldErrors = Record<string, string>;

export interface FormSubmitOptions {
  /** Turns an `ApiError`'s `fields` into this form's field keys (default: used as they are). */
  mapFields?: (fields: FieldErrors) => FieldErrors;
}

export interface FormSubmit {
  /** True while the submit's API call runs (for the submit button's `busy`). */
  busy: boolean;
  /** Field errors: from validation, or from the API's answer. */
  errors: FieldErrors;
  setErrors: Dispatch<SetStateAction<FieldErrors>>;
  /** The error shown above the form: the API's message, or the thrown value as text. */
  formError: string | null;
  /**
   * One submit of the form: prevents the browser's submit, shows `invalid` as the field
   * errors and stops there when it has any; otherwise clears the form error and runs `action`
   * while `busy`. An `ApiError` becomes field errors (its `fields`) and the form error (its
   * message); anything else thrown becomes the form error as `String(err)`.
   */
  run: (event: { preventDefault(): void }, invalid: FieldErrors, action: () => Promise<unknown>) => Promise<void>;
}

/**
 * The busy / field-errors / form-error state of a form that sends one API call, and the
 * mapping of the API's errors onto it. Validation stays with the form: it passes what it
 * found to `run`, together with the call to make when nothing was:
 *
 *   const { busy, errors, formError, run } = useFormSubmit();
 *   const submit = (e: FormEvent) => run(e, validate(), async () => { await api.x.save(...); onSaved(); });
 */
export function useFormSubmit({ mapFields }: FormSubmitOptions = {}): FormSubmit {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run: FormSubmit['run'] = async (event, invalid, action) => {
    event.preventDefault();
    setErrors(invalid);
    if (Object.keys(invalid).length) return;
    setBusy(true);
    setFormError(null);
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(mapFields ? mapFields(err.fields) : err.fields);
        setFormError(err.message);
      } else setFormError(String(err));
    } finally {
      setBusy(false);
    }
  };

  return { busy, errors, setErrors, formError, run };
}
