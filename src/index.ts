/** The library API: what `import { ... } from "sidecar-order"` gives. */
export { runResourceList, type RunOutput } from "./run";
export { InputError, readResourceList, writeResourceList, type ItemSource, type ResourceListSource } from "./krm/resource-list";
export { exitCode, formatResult, type Result, type Severity, type ResourceRef } from "./krm/results";
export { loadConfig, type LoadedConfig } from "./config/load";
export { configSchema, API_VERSION, KIND, type Config, type ConfigInput, type SidecarSpec } from "./config/schema";
export { transformItem } from "./transform";
export { planLegacy } from "./strategies/legacy";
export { applyPlan } from "./strategies/apply";
export type { Plan, Edit, Note, Slot } from "./strategies/plan";
export type { Container, PodSpec, PodTemplateView } from "./pod/types";
export { configJsonSchema } from "./config/json-schema";
export { fieldTable, withFieldTable } from "./config/docs";
export { VERSION } from "./version";
export { transformObjects, transformDocuments, sidecarOrderConfig, type TransformOutput } from "./library";
export { processItems, type ItemsOutput } from "./run";
export { runFiles, type FilesOptions, type FilesOutput } from "./files";
