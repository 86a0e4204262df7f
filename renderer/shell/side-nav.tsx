/** Left navigation: the six sections, the current one highlighted. */
import { navigate, sectionOf, type NavSection, type Route } from '../stores/route-store.ts';
import { useAppInfoStore } from '../stores/app-info-store.ts';
import { NavIcon } from './nav-icon.tsx';

const SECTIONS: Array<{ section: NavSection; label: string; route: Route }> = [
  { section: 'dashboard', label: 'Dashboard', route: { page: 'dashboard' } },
  { section: 'vaults', label: 'Vaults', route: { page: 'vaults' } },
  { section: 'policies', label: 'Policies', route: { page: 'policies' } },
  { section: 'items', label: 'Protected items', route: { page: 'items' } },
  { section: 'jobs', label: 'Jobs', route: { page: 'jobs' } },
  { section: 'restore', label: 'Restore', route: { page: 'restore' } },
];

export function SideNav({ route }: { route: Route }) {
  const current = sectionOf(route);
  const info = useAppInfoStore((state) => state.info);
  return (
    <nav className="sidenav" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Labvault</span>
      </div>
      <ul>
        {SECTIONS.map((entry) => (
          <li key={entry.section}>
            <a
              href={`#/${entry.section}`}
              className={`nav-link${current === entry.section ? ' is-current' : ''}`}
              aria-current={current === entry.section ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate(entry.route);
              }}
            >
              <NavIcon section={entry.section} />
              <span>{entry.label}</span>
            </a>
          </li>
        ))}
      </ul>
      <div className="sidenav-footer">
        {info ? <span>v{info.version} · {info.face === 'electron' ? 'desktop' : 'browser'}</span> : null}
      </div>
    </nav>
  );
}
