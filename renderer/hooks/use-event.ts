/** Subscribes a component to an engine event for as long as it is mounted. */
import { useEffect, useRef } from 'react';
import type { EventName, EventPayload } from '../../shared/contract/events.ts';
import { client } from '../api/labvault-client.ts';

export function useEngineEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const subscribe = client.on[event] as (listener: (payload: EventPayload<E>) => void) => () => void;
    return subscribe((payload) => latest.current(payload));
  }, [event]);
}
