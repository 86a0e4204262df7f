/**
 * Where the user is: a typed route kept in the address hash (#/vaults/lab-1), so a
 * reload stays on the same page in the browser and in Electron (file://).
 */
import { create } from 'zustand';
import { hashToRoute, routeToHash, type Route } from './route-codec.ts';

export { hashToRoute, routeToHash, sectionOf, type NavSection, type Route } from './route-codec.ts';

interface RouteStore {
  route: Route;
  go(route: Route): void;
}

export const useRouteStore = create<RouteStore>((set) => ({
  route: hashToRoute(window.location.hash),
  go(route) {
    const hash = routeToHash(route);
    if (window.location.hash !== hash) window.location.hash = hash;
    set({ route });
  },
}));

window.addEventListener('hashchange', () => {
  useRouteStore.setState({ route: hashToRoute(window.location.hash) });
});

export function navigate(route: Route): void {
  useRouteStore.getState().go(route);
}
