/** Tells the user when the engine cannot be reached, and that the app keeps retrying. */
import { useEffect, useState } from 'react';
import { useConnectionStore } from '../stores/connection-store.ts';

export function ConnectionBanner() {
  const state = useConnectionStore((store) => store.state);
  const everConnected = useConnectionStore((store) => store.everConnected);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (state.kind !== 'disconnected') return;
    const timer = window.setInterval(() => setTick((value) => value + 1), 1000);
    return () => window.clearInterval(timer);
  }, [state.kind]);
  if (state.kind === 'connected') return null;
  if (state.kind === 'connecting' && state.attempt === 0) return null;
  const text = state.kind === 'disconnected' ? state.reason : 'Reconnecting…';
  return (
    <div className="connection-banner" role="alert" data-testid="connection-banner">
      <strong>{everConnected ? 'Disconnected from Labvault.' : 'Cannot reach Labvault.'}</strong>
      <span>{text} Retrying automatically; actions you take are sent when the connection is back.</span>
    </div>
  );
}
