export { EksCluster, clusterKmsPolicy } from "./cluster";
export { accessScope } from "./access";
export {
  ADDON_NAMES,
  AMI_TYPES,
  DEFAULTS as EKS_DEFAULTS,
  LOG_TYPES,
  SUPPORTED_KUBERNETES_VERSIONS,
  type AccessEntryArgs,
  type AddonArgs,
  type AddonName,
  type CreateVpcNetwork,
  type EksClusterArgs,
  type EndpointArgs,
  type ExistingVpcNetwork,
  type NodeGroupArgs,
} from "./args";
export { resolveEksClusterArgs, type ResolvedEksClusterArgs } from "./resolve";
export { defaultSubnetCidrs, eksClusterProblems } from "./problems";
export { clusterTrustPolicy, renderKubeconfig, serviceTrustPolicy, type KubeconfigArgs } from "./iam";
export { subnetTags } from "./network";
export { cidrContains, cidrSubnet, cidrsOverlap, parseCidr } from "./cidr";
