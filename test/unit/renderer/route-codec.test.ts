/** The renderer's routes: every route survives the address hash, odd names included. */
import { describe, expect, it } from 'vitest';
import { hashToRoute, routeToHash, sectionOf, type Route } from '../../../renderer/stores/route-codec.ts';

const routes: Route[] = [
  { page: 'dashboard' }, { page: 'vaults' }, { page: 'vault-create' }, { page: 'vault', name: 'lab-1' },
  { page: 'items' }, { page: 'item', item: 'web 01/ä?#' }, { page: 'protect' }, { page: 'protect', vault: 'lab-1' },
  { page: 'jobs' }, { page: 'job', id: '3f0c2a' }, { page: 'restore' }, { page: 'restore', item: 'db-01' },
  { page: 'policies' }, { page: 'policy-create' }, { page: 'policy-create', vault: 'lab-1' },
  { page: 'policy-edit', vault: 'lab-1', name: 'Nightly 02:30' },
];

describe('route codec', () => {
  it('round-trips every route through its hash', () => {
    for (const route of routes) expect(hashToRoute(routeToHash(route))).toEqual(route);
  });

  it('encodes names so a slash or hash in a name stays one segment', () => {
    expect(routeToHash({ page: 'item', item: 'a/b#c' })).toBe('#/items/a%2Fb%23c');
  });

  it('falls back to the dashboard for unknown or empty hashes', () => {
    for (const hash of ['', '#', '#/', '#/nowhere', '#/policies/only-vault']) {
      const route = hashToRoute(hash);
      expect(['dashboard', 'policies']).toContain(route.page);
    }
    expect(hashToRoute('#/nowhere')).toEqual({ page: 'dashboard' });
    expect(hashToRoute('#/policies/only-vault')).toEqual({ page: 'policies' });
    expect(hashToRoute('#/vaults/new')).toEqual({ page: 'vault-create' });
  });

  it('puts every page in its navigation section', () => {
    const sections = routes.map((route) => `${route.page}:${sectionOf(route)}`);
    expect(sections).toContain('vault-create:vaults');
    expect(sections).toContain('protect:items');
    expect(sections).toContain('job:jobs');
    expect(sections).toContain('policy-edit:policies');
    expect(sections).toContain('restore:restore');
  });
});
