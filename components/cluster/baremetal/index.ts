export { BareMetalCluster, nodeTriggers, type NodeSteps } from "./cluster";
export * from "./types";
export { bareMetalClusterProblems } from "./problems";
export { resolveBareMetalClusterArgs, type ResolvedCluster, type ResolvedNode } from "./resolve";
export { configHash, renderNodeConfig, tokenFile, configFile } from "./nodeConfig";
export {
  apiUrl,
  decryptKubeconfig,
  encryptKubeconfig,
  KUBECONFIG_KDF_ITERATIONS,
  rewriteKubeconfig,
} from "./kubeconfig";
export { KeyLoader, readKeyFile, sshConnection, type SshConnection } from "./connection";
export * as scripts from "./scripts";
