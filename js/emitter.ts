/**
 * A small typed event emitter with the API of socket.io's component-emitter:
 * `on`/`addEventListener`, `once`, `off`/`removeListener`/`removeEventListener`,
 * `removeAllListeners`, `emit`, `listeners`, `hasListeners`.
 */

/** Any function taking any arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFn = (...args: any[]) => void;

/** A map from event names to listener signatures (interfaces welcome). */
export interface EventsMap {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [event: string]: any;
}

/** The map used when no types are given: any name, any arguments. */
export interface DefaultEventsMap {
  [event: string]: AnyFn;
}

/** The names of a map's events. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The listener signature of one event. */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** Names usable for listeners: the user's events plus the reserved ones. */
export type ReservedOrUserEventNames<ReservedMap extends EventsMap, UserMap extends EventsMap> =
  | EventNames<ReservedMap>
  | EventNames<UserMap>;

/** Falls back to an untyped (possibly async) listener when the map has no such event. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FallbackToUntypedListener<T> = [T] extends [never] ? (...args: any[]) => void | Promise<void> : T;

/** The listener type of an event name, reserved events taking priority. */
export type ReservedOrUserListener<
  ReservedMap extends EventsMap,
  UserMap extends EventsMap,
  Ev extends ReservedOrUserEventNames<ReservedMap, UserMap>,
> = FallbackToUntypedListener<
  Ev extends EventNames<ReservedMap> ? ReservedMap[Ev] : Ev extends EventNames<UserMap> ? UserMap[Ev] : never
>;

type Stored = AnyFn & { fn?: AnyFn };

/** Event names are strings, as in component-emitter (`on(1)` and `on("1")` are one event); symbols stay. */
function key(ev: unknown): string | symbol {
  return typeof ev === "symbol" ? ev : String(ev);
}

/**
 * Emitter<ListenEvents, EmitEvents, ReservedEvents>: listeners are typed by
 * `ListenEvents` and `ReservedEvents`; `emit` is typed by `EmitEvents`.
 */
export class Emitter<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ReservedEvents extends EventsMap = {},
> {
  private _callbacks: Map<string | symbol, Stored[]> = new Map();

  /** Adds a listener. */
  on<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    const k = key(ev);
    const list = this._callbacks.get(k);
    if (list) list.push(listener as Stored);
    else this._callbacks.set(k, [listener as Stored]);
    this._listenerAdded(k);
    return this;
  }

  /** Same as `on`. */
  addEventListener<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return this.on(ev, listener);
  }

  /** Adds a listener removed after its first call. */
  once<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    const wrapper: Stored = (...args: unknown[]) => {
      this.off(ev, wrapper as never);
      (listener as AnyFn).apply(this, args);
    };
    wrapper.fn = listener as AnyFn;
    return this.on(ev, wrapper as never);
  }

  /**
   * Removes one listener of an event, every listener of an event, or every listener, depending on
   * how many arguments are given (as in component-emitter: `off(undefined)` names the event
   * "undefined").
   */
  off<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    if (arguments.length === 0) {
      this._callbacks.clear();
      return this;
    }
    const k = key(ev);
    const list = this._callbacks.get(k);
    if (!list) return this;
    if (arguments.length === 1) {
      this._callbacks.delete(k);
      return this;
    }
    for (let i = 0; i < list.length; i++) {
      const l = list[i] as Stored;
      if (l === listener || l.fn === listener) {
        list.splice(i, 1);
        break;
      }
    }
    if (list.length === 0) this._callbacks.delete(k);
    return this;
  }

  /** Same as `off`. */
  removeListener<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    _ev?: Ev,
    _listener?: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return this.off.apply(this, arguments as never);
  }

  /** Same as `off`. */
  removeEventListener<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    _ev?: Ev,
    _listener?: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return this.off.apply(this, arguments as never);
  }

  /** Same as `off`. */
  removeAllListeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(_ev?: Ev): this {
    return this.off.apply(this, arguments as never);
  }

  /** Calls the listeners of an event (for user-typed events). */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): this {
    this._fire(ev, args);
    return this;
  }

  /** Calls the listeners of a reserved event. */
  protected emitReserved<Ev extends EventNames<ReservedEvents>>(ev: Ev, ...args: EventParams<ReservedEvents, Ev>): this {
    this._fire(ev, args);
    return this;
  }

  /** Calls the listeners of a user event with untyped arguments. */
  protected emitUntyped(ev: string, args: unknown[]): void {
    this._fire(ev, args);
  }

  private _fire(ev: string | symbol, args: unknown[]): void {
    const list = this._callbacks.get(key(ev));
    if (!list) return;
    // A copy, so listeners added or removed by a listener apply next time.
    for (const fn of list.slice()) fn.apply(this, args);
  }

  /** The listeners of an event (the emitter's own array, as in component-emitter). */
  listeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
  ): ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[] {
    return (this._callbacks.get(key(ev)) || []) as never;
  }

  /** True when the event has listeners. */
  hasListeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(ev: Ev): boolean {
    return (this._callbacks.get(key(ev))?.length ?? 0) > 0;
  }

  /** Hook for subclasses: a listener was added for `ev`. */
  protected _listenerAdded(_ev: string | symbol): void {}
}
