/** The top of every page: breadcrumb, title, one-line description, page actions. */
import type { ReactNode } from 'react';

export interface Crumb {
  label: string;
  onClick?: () => void;
}

export function PageHeader({ title, description, actions, crumbs }: {
  title: ReactNode; description?: ReactNode; actions?: ReactNode; crumbs?: Crumb[];
}) {
  return (
    <header className="page-header">
      {crumbs && crumbs.length > 0 ? (
        <nav className="crumbs" aria-label="Breadcrumb">
          {crumbs.map((crumb, index) => (
            <span key={`${crumb.label}-${index}`}>
              {crumb.onClick ? <button type="button" className="crumb-link" onClick={crumb.onClick}>{crumb.label}</button> : <span>{crumb.label}</span>}
              <span className="crumb-sep" aria-hidden="true">/</span>
            </span>
          ))}
        </nav>
      ) : null}
      <div className="page-header-row">
        <div>
          <h1 className="page-title">{title}</h1>
          {description ? <p className="page-description">{description}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
    </header>
  );
}
