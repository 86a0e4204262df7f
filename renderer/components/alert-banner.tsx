/** An inline message box inside a page or a step. */
import type { ReactNode } from 'react';

export type BannerTone = 'info' | 'warn' | 'danger' | 'ok';

export function AlertBanner({ tone = 'info', title, children, actions }: { tone?: BannerTone; title?: ReactNode; children?: ReactNode; actions?: ReactNode }) {
  return (
    <div className={`banner banner-${tone}`} role={tone === 'danger' ? 'alert' : 'status'}>
      <div className="banner-text">
        {title ? <strong>{title}</strong> : null}
        {children ? <div>{children}</div> : null}
      </div>
      {actions ? <div className="banner-actions">{actions}</div> : null}
    </div>
  );
}
