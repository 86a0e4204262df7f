/**
 * Renders the toast store in a strip of its own below the page (inside the main column), so
 * a toast never covers page content: the page pane gives up the strip's height while toasts
 * show. At most a few show; older ones wait behind a "more" line.
 */
import { useToastStore } from '../stores/toast-store.ts';
import { visibleToasts } from '../stores/toast-queue.ts';

export function ToastViewport() {
  const toasts = useToastStore((state) => state.toasts);
  const dismiss = useToastStore((state) => state.dismiss);
  const dismissAll = useToastStore((state) => state.dismissAll);
  const { shown, hidden } = visibleToasts(toasts);
  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite">
      {hidden > 0 ? (
        <div className="toast-more">
          <span>{hidden} more {hidden === 1 ? 'notice' : 'notices'}</span>
          <button type="button" className="btn btn-quiet btn-small" onClick={dismissAll}>Dismiss all</button>
        </div>
      ) : null}
      {shown.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.tone}`} role={toast.tone === 'error' ? 'alert' : 'status'}>
          <div className="toast-text">
            <strong>
              {toast.title}
              {toast.count > 1 ? <span className="toast-count" aria-label={`${toast.count} times`}> ×{toast.count}</span> : null}
            </strong>
            {toast.message ? <span>{toast.message}</span> : null}
          </div>
          <button type="button" className="dialog-close" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>×</button>
        </div>
      ))}
    </section>
  );
}
