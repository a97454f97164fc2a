export { BareMetalCluster, nodeTriggers, type NodeSteps } from "./cluster";
export * from "./types";
export {
  BareMetalArgsError,
  resolveBareMetalClusterArgs,
  validateBareMetalArgs,
  type BareMetalProblem,
  type ResolvedCluster,
  type ResolvedNode,
} from "./resolve";
export { configHash, renderNodeConfig, tokenFile, configFile } from "./config";
export {
  apiUrl,
  decryptKubeconfig,
  encryptKubeconfig,
  KUBECONFIG_KDF_ITERATIONS,
  rewriteKubeconfig,
} from "./kubeconfig";
export { KeyLoader, readKeyFile, sshConnection, type SshConnection } from "./connection";
export * as scripts from "./scripts";
