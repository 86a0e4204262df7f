/** Line icons for the navigation (inline SVG: no icon font, works offline). */
import type { NavSection } from '../stores/route-store.ts';
import { assertNever } from '../assert-never.ts';

function pathsFor(section: NavSection): string[] {
  switch (section) {
    case 'dashboard': return ['M3 3h7v9H3z', 'M14 3h7v5h-7z', 'M14 12h7v9h-7z', 'M3 16h7v5H3z'];
    case 'vaults': return ['M4 5h16v14H4z', 'M12 12m-3 0a3 3 0 1 0 6 0a3 3 0 1 0-6 0', 'M4 9h2', 'M4 15h2'];
    case 'policies': return ['M7 3h10v18H7z', 'M10 8h4', 'M10 12h4', 'M10 16h2'];
    case 'items': return ['M3 5h18v11H3z', 'M8 20h8', 'M12 16v4'];
    case 'jobs': return ['M4 6h16', 'M4 12h10', 'M4 18h13'];
    case 'restore': return ['M4 12a8 8 0 1 0 2.3-5.6', 'M4 4v4h4', 'M12 8v4l3 2'];
    default: return assertNever(section);
  }
}

export function NavIcon({ section }: { section: NavSection }) {
  return (
    <svg className="nav-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round">
      {pathsFor(section).map((d) => <path key={d} d={d} />)}
    </svg>
  );
}
