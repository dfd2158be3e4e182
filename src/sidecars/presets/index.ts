/** Every preset, in their default start order (mesh proxies first: the others may need the network). */
import type { PresetName } from "../../config/schema";
import { cloudSqlProxy } from "./cloud-sql-proxy";
import { consul } from "./consul";
import { dapr } from "./dapr";
import { istio } from "./istio";
import { kuma } from "./kuma";
import { linkerd } from "./linkerd";
import { opentelemetry } from "./opentelemetry";
import type { Preset } from "./types";
import { vault } from "./vault";

export const PRESETS: readonly Preset[] = [istio, linkerd, kuma, consul, cloudSqlProxy, dapr, opentelemetry, vault];

export function presetNamed(name: PresetName): Preset {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new Error(`no preset ${name}`);
  return p;
}

export type { Preset } from "./types";
