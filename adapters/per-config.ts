import type { GongzhiConfig } from '../src/config/schema';

/** `build(config)`, recomputed only when the getter returns a different configuration object. */
export function perConfig<T>(current: () => GongzhiConfig, build: (c: GongzhiConfig) => T): () => T {
  let last: { config: GongzhiConfig; value: T } | null = null;
  return () => {
    const c = current();
    if (last?.config !== c) last = { config: c, value: build(c) };
    return last.value;
  };
}

/** A configuration or a getter of the live one (groups added at runtime), as a getter. */
export const configGetter = (config: GongzhiConfig | (() => GongzhiConfig)): (() => GongzhiConfig) => (typeof config === 'function' ? config : () => config);
