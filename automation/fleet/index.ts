/** The fleet driver: many platform stacks from CI through the Automation API, in waves, gated on Flux. */
export { fleetMain, type FleetDeps } from "./main";
export { parseFleetArgs, FLEET_SPEC, type FleetArgs } from "./args";
export { runFleet, exitCodeOf, type DriverOptions, type DriverResult } from "./driver";
export { loadInventory, listStacks } from "./inventoryFile";
export { planStacks, selectStacks, shardStacks, groupWaves, SelectionError, type Selection } from "./select";
export { gateDecision, revisionMatchesRef, waitForGate } from "./gate";
export { fleetReportSchema, markdownReport, summaryTable, type FleetReport } from "./report";
export { renderFleet } from "./render";
export { LocalWorkspaceRunner, PulumiCliError, checkPulumiCli } from "./runner";
export { ClusterFluxReader, KubeClient } from "./kube";
export type * from "./types";
