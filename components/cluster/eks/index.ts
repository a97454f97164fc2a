export { EksCluster, clusterKmsPolicy, accessScope } from "./cluster";
export {
  ADDON_NAMES,
  AMI_TYPES,
  DEFAULTS as EKS_DEFAULTS,
  LOG_TYPES,
  SUPPORTED_KUBERNETES_VERSIONS,
  defaultSubnetCidrs,
  eksClusterProblems,
  resolveEksClusterArgs,
  type AccessEntryArgs,
  type AddonArgs,
  type AddonName,
  type CreateVpcNetwork,
  type EksClusterArgs,
  type EndpointArgs,
  type ExistingVpcNetwork,
  type NodeGroupArgs,
  type Problem,
} from "./args";
export { renderKubeconfig, serviceTrustPolicy, type KubeconfigArgs } from "./iam";
export { subnetTags } from "./network";
export { cidrContains, cidrSubnet, cidrsOverlap, parseCidr } from "./cidr";
