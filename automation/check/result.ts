import type { Violation } from "./run";

/** The outcome of an offline check of one stack (its own module: the report and the runner share it). */
export interface CheckResult {
  stack: string;
  environment: string;
  /** The config file used, or undefined for the policies' own defaults. */
  policyConfig?: string;
  resources: number;
  policies: number;
  violations: Violation[];
  /** True when nothing mandatory was violated. */
  passed: boolean;
}
