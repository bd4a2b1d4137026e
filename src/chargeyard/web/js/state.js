// The dashboard's only reactive primitive: a value with subscribers.

export function signal(initial) {
  let value = initial;
  const subscribers = new Set();
  return {
    get value() {
      return value;
    },
    set(next) {
      value = next;
      subscribers.forEach((subscriber) => subscriber(value));
    },
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
  };
}

/** Calls `render` at most once per animation frame however often it is scheduled. */
export function scheduler(render) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      render();
    });
  };
}

/** Calls `run` once, `ms` after the last of a burst of calls; `.cancel()` drops a pending one. */
export function debounce(run, ms) {
  let timer = null;
  const debounced = () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}
