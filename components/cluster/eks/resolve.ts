import { throwIfProblems } from "../../problems";
import { ADDON_NAMES, DEFAULTS, type AddonArgs, type AddonName, type EksClusterArgs } from "./args";
import { defaultSubnetCidrs, eksClusterProblems } from "./problems";

/** Args with every default applied. Throws one ArgsError listing every problem. */
export function resolveEksClusterArgs(args: EksClusterArgs) {
  throwIfProblems("EksCluster", args.clusterName, eksClusterProblems(args));
  const network =
    args.network.mode === "create"
      ? (() => {
          const n = args.network;
          const plan = defaultSubnetCidrs(n.cidr, n.availabilityZones.length);
          return {
            ...n,
            privateSubnetCidrs: n.privateSubnetCidrs ?? plan.private,
            publicSubnetCidrs: n.publicSubnetCidrs ?? plan.public,
            natGateways: n.natGateways ?? DEFAULTS.natGateways,
          };
        })()
      : { ...args.network, publicSubnetIds: args.network.publicSubnetIds ?? [] };
  const addons = Object.fromEntries(ADDON_NAMES.map((a) => [a, { ...args.addons?.[a] }])) as Record<
    AddonName,
    AddonArgs
  >;
  return {
    ...args,
    version: args.version ?? DEFAULTS.version,
    network,
    endpoint: { ...DEFAULTS.endpoint, ...args.endpoint },
    logTypes: args.logTypes ?? DEFAULTS.logTypes,
    accessEntries: args.accessEntries ?? {},
    bootstrapCreatorAdmin: args.bootstrapCreatorAdmin ?? DEFAULTS.bootstrapCreatorAdmin,
    deletionProtection: args.deletionProtection ?? DEFAULTS.deletionProtection,
    nodeGroups: args.nodeGroups.map((g) => ({
      ...DEFAULTS.nodeGroup,
      ...g,
      desiredSize: g.desiredSize ?? g.minSize,
      maxUnavailable:
        g.maxUnavailablePercentage === undefined
          ? (g.maxUnavailable ?? DEFAULTS.nodeGroup.maxUnavailable)
          : undefined,
    })),
    addons,
    tags: args.tags ?? {},
  };
}
export type ResolvedEksClusterArgs = ReturnType<typeof resolveEksClusterArgs>;
