import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { AlertTriangle, CheckCircle2, Info, X } from 'lucide-react';

export type ToastTone = 'info' | 'success' | 'danger' | 'alert';

interface Toast {
  id: number;
  tone: ToastTone;
  title: string;
  body?: string;
  onClick?: () => void;
}

interface ToastApi {
  show(toast: Omit<Toast, 'id'>, ms?: number): void;
}

const ToastContext = createContext<ToastApi>({ show: () => undefined });

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const show = useCallback(
    (toast: Omit<Toast, 'id'>, ms = 5000) => {
      const id = next.current++;
      setToasts((ts) => [...ts.slice(-3), { ...toast, id }]);
      setTimeout(() => dismiss(id), ms);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show }), [show]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div
            key={t.id}
            className={`toast toast-${t.tone}`}
            onClick={t.onClick ? () => (t.onClick!(), dismiss(t.id)) : undefined}
          >
            {t.tone === 'success' ? (
              <CheckCircle2 size={18} color="var(--success)" />
            ) : t.tone === 'info' ? (
              <Info size={18} color="var(--accent)" />
            ) : (
              <AlertTriangle size={18} color="var(--danger)" />
            )}
            <div className="grow">
              <div style={{ fontWeight: 600 }}>{t.title}</div>
              {t.body && <div className="muted">{t.body}</div>}
            </div>
            <button
              className="btn btn-ghost btn-sm btn-icon"
              aria-label="Dismiss"
              onClick={(e) => {
                e.stopPropagation();
                dismiss(t.id);
              }}
            >
              <X size={14} />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  return useContext(ToastContext);
}
