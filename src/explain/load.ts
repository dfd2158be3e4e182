/**
 * The timeline (and the kubelet model it runs) on first use. Here it is a plain import; the
 * executable's build (scripts/build.mjs) turns this file into a require() made on first call, so a
 * run without explain never evaluates the model. The timeline imports nothing else, so nothing
 * else in the bundle is put behind a wrapper.
 */
import * as timeline from "./timeline";

export type Timeline = typeof timeline;

export function loadTimeline(): Timeline {
  return timeline;
}
