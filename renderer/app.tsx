/** The app shell: navigation on the left, the current page on the right, banners, and toasts in a strip below it. */
import { useEffect } from 'react';
import { ConnectionBanner } from './shell/connection-banner.tsx';
import { SideNav } from './shell/side-nav.tsx';
import { PageForRoute } from './shell/page-for-route.tsx';
import { startEngineNotifications } from './shell/engine-notifications.ts';
import { ToastViewport } from './components/toast-viewport.tsx';
import { useAppInfoStore } from './stores/app-info-store.ts';
import { useVaultsStore } from './stores/vaults-store.ts';
import { useRouteStore } from './stores/route-store.ts';
import { useConnectionStore } from './stores/connection-store.ts';
import { useJobProgressStore } from './stores/job-progress-store.ts';

export function App() {
  const route = useRouteStore((state) => state.route);
  useEffect(() => {
    void useAppInfoStore.getState().load().catch(() => undefined);
    void useVaultsStore.getState().refresh();
    return startEngineNotifications();
  }, []);
  // Back from a lost connection: what is on screen may be stale, so reload it.
  useEffect(() => useConnectionStore.subscribe((current, previous) => {
    if (current.state.kind === 'connected' && previous.state.kind !== 'connected' && previous.everConnected) {
      void useVaultsStore.getState().refresh();
      useJobProgressStore.setState((state) => ({ revision: state.revision + 1 }));
    }
  }), []);
  return (
    <div className="shell">
      <SideNav route={route} />
      <main className="main">
        <ConnectionBanner />
        <div className="page">
          <PageForRoute route={route} />
        </div>
        <ToastViewport />
      </main>
    </div>
  );
}
