/**
 * Holds every history append of a store until released (other commands pass): what a turn does
 * while its history write has not landed.
 */
import type { Pipeline, ShortTermStore } from "../../memory/store/types.js";

export interface HeldAppends {
  /** Appends sent and waiting. */
  readonly waiting: number;
  /** Lets every held and later append through. */
  release(): void;
  /** Puts the store's own pipeline back (releasing first). */
  restore(): void;
}

export function holdAppends(store: ShortTermStore): HeldAppends {
  const open = store.pipeline.bind(store);
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  let waiting = 0;
  store.pipeline = (): Pipeline => {
    const p = open();
    let appends = false;
    const appendCapped = p.appendCapped.bind(p);
    const exec = p.exec.bind(p);
    p.appendCapped = (...args) => {
      appends = true;
      return appendCapped(...args);
    };
    p.exec = async () => {
      if (appends) {
        waiting++;
        await held;
      }
      return exec();
    };
    return p;
  };
  return {
    get waiting() {
      return waiting;
    },
    release: () => release(),
    restore: () => {
      release();
      store.pipeline = open;
    },
  };
}
