import { useEffect } from 'preact/hooks';

/** Calls `load` at once and every `ms` milliseconds while the component using it is shown. */
export function usePolling(load, ms) {
  useEffect(() => {
    load();
    const timer = setInterval(load, ms);
    return () => clearInterval(timer);
  }, [load, ms]);
}
