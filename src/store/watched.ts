// A Store whose every repository call reports its failures to `onError` (and still rejects as
// before): how /healthz learns that a write ran out of room (SQLITE_FULL, ENOSPC, PostgreSQL's
// disk_full) without each repository knowing about health.

import type { Store } from "./types.ts";

type Area = "store" | "audio";

function watchObject<T extends object>(target: T, onError: (err: unknown) => void): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      const value: unknown = Reflect.get(t, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(t, args);
        if (out instanceof Promise)
          return out.catch((err: unknown) => {
            onError(err);
            throw err;
          });
        return out;
      };
    },
  });
}

export function watchStore(store: Store, onError: (area: Area, err: unknown) => void): Store {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(t, key, receiver) {
      const value: unknown = Reflect.get(t, key, receiver);
      // Repositories are the objects on the store; its own methods (ping, close) stay as they are.
      if (typeof value !== "object" || value === null) {
        return typeof value === "function" ? (value as () => unknown).bind(t) : value;
      }
      let w = wrapped.get(key);
      if (!w) {
        const area: Area = key === "audio" ? "audio" : "store";
        w = watchObject(value, (err) => onError(area, err));
        wrapped.set(key, w);
      }
      return w;
    },
  });
}
