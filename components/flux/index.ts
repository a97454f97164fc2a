export { FluxBootstrap, type FluxBootstrapArgs, type LoadedInstallManifests } from "./bootstrap";
export {
  CLUSTER_VARS,
  CLUSTER_VAR_KEYS,
  CLUSTER_VARS_CONFIGMAP,
  CLUSTER_SECRET_VARS_SECRET,
  type ClusterVarKey,
  type ClusterVarSpec,
} from "./clusterVars";
export * from "./objects";
export * from "./render";
export * from "./manifests";
export { default as versions } from "./versions.json";
