/**
 * Routes as data and their address-hash form (#/vaults/lab-1): pure, so the store and the
 * tests share them.
 */
import { assertNever } from '../assert-never.ts';

export type Route =
  | { page: 'dashboard' }
  | { page: 'vaults' }
  | { page: 'vault-create' }
  | { page: 'vault'; name: string }
  | { page: 'items' }
  | { page: 'item'; item: string }
  | { page: 'point-files'; item: string; point: string }
  | { page: 'protect'; vault?: string }
  | { page: 'jobs' }
  | { page: 'job'; id: string }
  | { page: 'restore'; item?: string }
  | { page: 'policies' }
  | { page: 'policy-create'; vault?: string }
  | { page: 'policy-edit'; vault: string; name: string };

export type NavSection = 'dashboard' | 'vaults' | 'policies' | 'items' | 'jobs' | 'restore';

export function sectionOf(route: Route): NavSection {
  switch (route.page) {
    case 'dashboard': return 'dashboard';
    case 'vaults': case 'vault-create': case 'vault': return 'vaults';
    case 'items': case 'item': case 'point-files': case 'protect': return 'items';
    case 'jobs': case 'job': return 'jobs';
    case 'restore': return 'restore';
    case 'policies': case 'policy-create': case 'policy-edit': return 'policies';
    default: return assertNever(route);
  }
}

const enc = encodeURIComponent;

export function routeToHash(route: Route): string {
  switch (route.page) {
    case 'dashboard': return '#/dashboard';
    case 'vaults': return '#/vaults';
    case 'vault-create': return '#/vaults/new';
    case 'vault': return `#/vaults/${enc(route.name)}`;
    case 'items': return '#/items';
    case 'item': return `#/items/${enc(route.item)}`;
    case 'point-files': return `#/items/${enc(route.item)}/points/${enc(route.point)}/files`;
    case 'protect': return route.vault ? `#/protect/${enc(route.vault)}` : '#/protect';
    case 'jobs': return '#/jobs';
    case 'job': return `#/jobs/${enc(route.id)}`;
    case 'restore': return route.item ? `#/restore/${enc(route.item)}` : '#/restore';
    case 'policies': return '#/policies';
    case 'policy-create': return route.vault ? `#/policies/new/${enc(route.vault)}` : '#/policies/new';
    case 'policy-edit': return `#/policies/${enc(route.vault)}/${enc(route.name)}`;
    default: return assertNever(route);
  }
}

export function hashToRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((part) => part !== '').map((part) => decodeURIComponent(part));
  const [head, a, b, c] = parts;
  switch (head) {
    case 'vaults':
      if (a === 'new') return { page: 'vault-create' };
      return a ? { page: 'vault', name: a } : { page: 'vaults' };
    case 'items':
      if (a && b === 'points' && c) return { page: 'point-files', item: a, point: c };
      return a ? { page: 'item', item: a } : { page: 'items' };
    case 'protect': return a ? { page: 'protect', vault: a } : { page: 'protect' };
    case 'jobs': return a ? { page: 'job', id: a } : { page: 'jobs' };
    case 'restore': return a ? { page: 'restore', item: a } : { page: 'restore' };
    case 'policies':
      if (a === 'new') return b ? { page: 'policy-create', vault: b } : { page: 'policy-create' };
      return a && b ? { page: 'policy-edit', vault: a, name: b } : { page: 'policies' };
    default: return { page: 'dashboard' };
  }
}
