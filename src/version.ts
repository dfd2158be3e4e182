/** Replaced at bundle time with package.json's version. */
declare const __SIDECAR_ORDER_VERSION__: string | undefined;
export const VERSION: string = typeof __SIDECAR_ORDER_VERSION__ === "string" ? __SIDECAR_ORDER_VERSION__ : "0.0.0-dev";
