/**
 * The fleet driver's seams: what a runner (the Automation API, or a fake in tests) and a Flux
 * reader (the cluster, or a fake) must do, and what the driver reports per stack.
 */
import type { DeclaredPlatform, FleetStack } from "./inventory";

/** Operations of `npm run fleet`. */
export const OPERATIONS = ["preview", "up", "refresh", "destroy", "outputs", "status", "render"] as const;
export type Operation = (typeof OPERATIONS)[number];
/** Operations that run the Pulumi engine on a stack. */
export type EngineOperation = "preview" | "up" | "refresh" | "destroy";

/** Resource changes of one operation (Pulumi's OpMap folded into what a reader cares about). */
export interface ChangeCounts {
  create: number;
  update: number;
  delete: number;
  replace: number;
  same: number;
}

export const NO_CHANGES: ChangeCounts = { create: 0, update: 0, delete: 0, replace: 0, same: 0 };

/** Fold Pulumi's OpMap (`create`, `update`, `delete`, `replace`, `same`, …) into ChangeCounts. */
export function countChanges(opMap: Partial<Record<string, number>> | undefined): ChangeCounts {
  const m = opMap ?? {};
  return {
    create: (m.create ?? 0) + (m.import ?? 0),
    update: m.update ?? 0,
    delete: m.delete ?? 0,
    replace: m.replace ?? 0,
    same: m.same ?? 0,
  };
}

/** Options of an engine operation, per stack (policy config may differ by environment). */
export interface EngineOptions {
  policyPacks: string[];
  /** Policy config JSON files for this stack. */
  policyPackConfigs: string[];
  expectNoChanges: boolean;
  refresh: boolean;
}

/** A stack output as the Automation API returns it. */
export interface OutputValue {
  value: unknown;
  secret: boolean;
}
export type StackOutputs = Record<string, OutputValue>;

export interface RunRequest {
  stack: FleetStack;
  operation: EngineOperation;
  options: EngineOptions;
  /** Aborting it cancels the operation the way Ctrl-C does (Pulumi unlocks the stack). */
  signal: AbortSignal;
  /** Pulumi's own output (goes to fleet-logs/<stack>.log). */
  onOutput: (text: string) => void;
  /** Running resource change counts, for the live progress line. */
  onChanges: (counts: ChangeCounts) => void;
}

export interface RunResult {
  changes: ChangeCounts;
  /** Stack outputs after `up` (the gate reads the kubeconfig from them). */
  outputs?: StackOutputs;
}

/** Runs Pulumi operations on stacks. Rejects on failure (the error message is reported). */
export interface FleetRunner {
  run(req: RunRequest): Promise<RunResult>;
  outputs(stack: FleetStack, signal: AbortSignal): Promise<StackOutputs>;
}

/** A Kubernetes condition, as Flux sets them. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** What the gate and the dashboard read from a cluster: the root Kustomization and its source. */
export interface FluxRootStatus {
  kustomization?: {
    generation?: number;
    observedGeneration?: number;
    ready?: Condition;
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
  };
  source?: {
    kind: string;
    /** Name and namespace of the source object (from the Kustomization's sourceRef). */
    name?: string;
    namespace?: string;
    generation?: number;
    observedGeneration?: number;
    ready?: Condition;
    artifactRevision?: string;
    /** The Git revision the artifact was published from (OCI: its org.opencontainers.image.revision). */
    artifactOriginRevision?: string;
    /** When the source last stored a new artifact (status.artifact.lastUpdateTime). */
    artifactLastUpdateTime?: string;
    /** The last `reconcile.fluxcd.io/requestedAt` value the controller handled. */
    lastHandledReconcileAt?: string;
  };
}

/** A Flux object to ask for a reconcile. */
export interface FluxObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

/** Where to read Flux: the stack's kubeconfig output and the context to use. */
export interface FluxTarget {
  stack: string;
  kubeconfig: string;
  context?: string;
}

/** A Kustomization or HelmRelease whose Ready condition is False. */
export interface FailingObject {
  kind: "Kustomization" | "HelmRelease";
  namespace: string;
  name: string;
  reason?: string;
  message?: string;
  /** When its Ready condition last changed (ISO time). */
  since?: string;
}

/** What a cluster holds beyond the root: the failing Flux objects and the catalog's Slices. */
export interface FluxDetails {
  /** The first failing objects (by namespace and name), at most a few dozen. */
  failing: FailingObject[];
  /** How many fail in all (more than `failing` holds when it was cut). */
  failingTotal: number;
  /** Slices (catalog.platform.io); undefined when the cluster does not serve the kind. */
  slices?: number;
}

export interface FluxReader {
  read(target: FluxTarget, signal: AbortSignal): Promise<FluxRootStatus>;
  /** The failing Kustomizations and HelmReleases and the Slice count (read once, after the gate or for status). */
  readDetails?(target: FluxTarget, signal: AbortSignal): Promise<FluxDetails>;
  /** Set `reconcile.fluxcd.io/requestedAt: token` on the object (what `flux reconcile` does). */
  requestReconcile?(
    target: FluxTarget,
    object: FluxObjectRef,
    token: string,
    signal: AbortSignal,
  ): Promise<void>;
}

/** Final state of one stack in a fleet run. */
export type StackOutcome =
  | "succeeded"
  | "failed"
  | "gate-failed"
  /** Was running when the run was cancelled (Ctrl-C, --fail-fast). */
  | "cancelled"
  /** Never started: an earlier wave failed, --fail-fast, or Ctrl-C. */
  | "skipped";

/** The Flux root of a stack, as reported. */
export interface FluxSummary {
  revision?: string;
  ready: "True" | "False" | "Unknown" | "missing";
  reason?: string;
  message?: string;
  /** When the Ready condition last changed (ISO time). */
  since?: string;
  /** The Git URL the root pulls from (the stack's rootSourceUrl output), for the link to the applied commit. */
  sourceUrl?: string;
  /** OCI root: the Git revision the applied artifact was published from (`<tag>@sha1:<sha>`). */
  originRevision?: string;
  /** OCI root: the Git repository it is published from (the stack's rootSourceOrigin output). */
  origin?: string;
  /** Failing Kustomizations and HelmReleases anywhere on the cluster (FluxDetails). */
  failing?: FailingObject[];
  failingTotal?: number;
  slices?: number;
  /** Why the failing objects and Slices could not be read. */
  detailsError?: string;
}

/** A wave of a run, for the timeline: when it started, began gating and ended, and how it ended. */
export interface WaveTiming {
  wave: number;
  stacks: number;
  state: "passed" | "failed" | "skipped" | "cancelled";
  startedAt?: string;
  /** When the first of its stacks began waiting for Flux. */
  gateStartedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface StackResult {
  stack: string;
  wave: number;
  group?: string;
  result: StackOutcome;
  changes: ChangeCounts;
  durationMs: number;
  error?: string;
  /** Why a stack was skipped or cancelled. */
  note?: string;
  flux?: FluxSummary;
  /** Non-secret outputs (secret ones as "[secret]"), for `outputs`. */
  outputs?: Record<string, unknown>;
  logFile?: string;
  /** For `render`: what the offline render produced and where. */
  render?: { resources: number; objects: number; outDir: string };
  /** What the stack file declares: cluster kind, Flux version, the ref the root follows. */
  declared?: DeclaredPlatform;
}

/** Live states a stack goes through, for progress display. */
export type LiveState = "pending" | "running" | "gating" | StackOutcome;
