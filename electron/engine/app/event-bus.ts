/** Typed publish/subscribe for the contract's pushed events. */
import { EventEmitter } from 'node:events';
import type { EventName, EventPayload } from '../../../shared/contract/events.ts';

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.emitter.emit(event, payload);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Every event, for hosts that forward all of them. */
  onAny(listener: (event: EventName, payload: unknown) => void): () => void {
    const wrapped = (event: EventName, payload: unknown) => listener(event, payload);
    this.emitter.on('*', wrapped);
    return () => this.emitter.off('*', wrapped);
  }

  emitAny<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.emit(event, payload);
    this.emitter.emit('*', event, payload);
  }
}
