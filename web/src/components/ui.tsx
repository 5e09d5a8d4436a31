/** The dashboard's small design system: buttons, badges, fields, modal, empty states. */
import {
  forwardRef,
  useEffect,
  useId,
  useRef,
  type ButtonHTMLAttributes,
  type ReactElement,
  type ReactNode,
} from 'react';
import { X } from 'lucide-react';
import type { CameraState, DeliveryStatus, EventStatus, ReviewStatus } from '../api/types';
import { formatScore, scoreLevel } from '../lib/format';

type Variant = 'default' | 'primary' | 'danger' | 'success' | 'warning' | 'ghost';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: 'sm' | 'md' | 'lg';
  icon?: ReactNode;
  /** Icon-only button: `label` is required and becomes aria-label and title. */
  iconOnly?: boolean;
  label?: string;
  busy?: boolean;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'default', size = 'md', icon, iconOnly, label, busy, className, children, type = 'button', disabled, ...rest },
  ref,
) {
  const cls = [
    'btn',
    variant !== 'default' && `btn-${variant}`,
    size !== 'md' && `btn-${size}`,
    iconOnly && 'btn-icon',
    className,
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <button
      ref={ref}
      type={type}
      className={cls}
      aria-label={iconOnly ? label : rest['aria-label']}
      title={iconOnly ? label : rest.title}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <span className="spinner" style={{ width: 14, height: 14 }} aria-hidden /> : icon}
      {!iconOnly && children}
    </button>
  );
});

export type Tone = 'neutral' | 'info' | 'danger' | 'warning' | 'success' | 'violet' | 'solid-danger';

export function Badge({
  tone = 'neutral',
  dot,
  pulse,
  children,
  title,
}: {
  tone?: Tone;
  dot?: boolean;
  pulse?: boolean;
  children: ReactNode;
  title?: string;
}) {
  const cls = ['badge', tone !== 'neutral' && `badge-${tone}`, dot && 'badge-dot', pulse && 'badge-pulse']
    .filter(Boolean)
    .join(' ');
  return (
    <span className={cls} title={title}>
      {children}
    </span>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="empty row" style={{ justifyContent: 'center' }}>
      <Spinner label={label} /> <span>{label}</span>
    </div>
  );
}

export function EmptyState({ icon, title, children }: { icon?: ReactNode; title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      {icon}
      <div style={{ fontWeight: 600, color: 'var(--text)' }}>{title}</div>
      {children && <div style={{ marginTop: 4 }}>{children}</div>}
    </div>
  );
}

export function Notice({
  tone = 'info',
  children,
  role,
}: {
  tone?: 'info' | 'danger' | 'warning' | 'success';
  children: ReactNode;
  role?: 'alert' | 'status';
}) {
  return (
    <div className={`notice notice-${tone}`} role={role ?? (tone === 'danger' ? 'alert' : undefined)}>
      {children}
    </div>
  );
}

/** A labelled form control: the label is tied to the control by id. */
export function Field({
  label,
  hint,
  error,
  children,
  className,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactElement;
  className?: string;
}) {
  const id = useId();
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {error ? (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      ) : hint ? (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      ) : null}
    </div>
  );
}

export function Modal({
  title,
  onClose,
  children,
  footer,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>(
      'input, select, textarea, button:not([data-close]), [tabindex]:not([tabindex="-1"])',
    );
    (first ?? ref.current)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        onClose();
        return;
      }
      if (e.key === 'Tab' && ref.current) {
        const focusables = Array.from(
          ref.current.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])'),
        ).filter((el) => !el.hasAttribute('disabled'));
        if (focusables.length === 0) return;
        const firstEl = focusables[0];
        const lastEl = focusables[focusables.length - 1];
        if (e.shiftKey && document.activeElement === firstEl) {
          e.preventDefault();
          lastEl.focus();
        } else if (!e.shiftKey && document.activeElement === lastEl) {
          e.preventDefault();
          firstEl.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`modal${wide ? ' modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
      >
        <div className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <Button variant="ghost" size="sm" iconOnly label="Close" icon={<X size={18} />} onClick={onClose} data-close />
        </div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-footer">{footer}</div>}
      </div>
    </div>
  );
}

export function ScoreBadge({ score }: { score: number }) {
  const level = scoreLevel(score);
  return (
    <span className={`score score-${level}`} title={`Suspicion score ${formatScore(score)}`}>
      <span className="score-bar" aria-hidden>
        <span style={{ width: `${Math.round(Math.max(0, Math.min(1, score)) * 100)}%` }} />
      </span>
      {formatScore(score)}
    </span>
  );
}

const REVIEW_TONES: Record<ReviewStatus, Tone> = {
  new: 'info',
  confirmed: 'danger',
  dismissed: 'neutral',
  escalated: 'violet',
};
const REVIEW_LABELS: Record<ReviewStatus, string> = {
  new: 'New',
  confirmed: 'Confirmed',
  dismissed: 'Dismissed',
  escalated: 'Escalated',
};

export function ReviewBadge({ status }: { status: ReviewStatus }) {
  return <Badge tone={REVIEW_TONES[status] ?? 'neutral'}>{REVIEW_LABELS[status] ?? status}</Badge>;
}

export function EventStatusBadge({ status }: { status: EventStatus }) {
  return status === 'open' ? (
    <Badge tone="solid-danger" dot pulse>
      Live
    </Badge>
  ) : (
    <Badge>Closed</Badge>
  );
}

const HEALTH: Record<string, { tone: Tone; label: string }> = {
  live: { tone: 'success', label: 'Live' },
  starting: { tone: 'info', label: 'Starting' },
  reconnecting: { tone: 'warning', label: 'Reconnecting' },
  failed: { tone: 'danger', label: 'Failed' },
  stopped: { tone: 'neutral', label: 'Stopped' },
  disabled: { tone: 'neutral', label: 'Disabled' },
};

export function HealthBadge({ state, title }: { state: CameraState | undefined | null; title?: string }) {
  const h = (state && HEALTH[state]) || { tone: 'neutral' as Tone, label: state ?? 'Unknown' };
  return (
    <Badge tone={h.tone} dot pulse={state === 'reconnecting' || state === 'starting'} title={title}>
      {h.label}
    </Badge>
  );
}

const DELIVERY: Record<DeliveryStatus, Tone> = { pending: 'warning', sent: 'success', dead: 'danger' };

export function DeliveryBadge({ status }: { status: DeliveryStatus }) {
  return <Badge tone={DELIVERY[status] ?? 'neutral'}>{status}</Badge>;
}
