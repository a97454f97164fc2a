/**
 * The cross-field rules of FluxBootstrap's Flux settings, as problems with paths relative to them
 * (`source.url`); the program reports them under `flux.`.
 */
import type { Problem } from "../../problems";
import type { ResolvedFluxArgs } from "../args";
import { checkAuth } from "./auth";
import { checkAwsSource } from "./awsSource";
import { checkCharts } from "./charts";
import type { Check } from "./check";
import { checkChoices } from "./choices";
import { checkFreeFormSecrets, checkUrls } from "./credentials";
import { checkExtraSecrets, checkReceiver, checkSecretsManager, checkVars } from "./extras";
import { checkInstall } from "./install";
import { checkInstallValues } from "./installValues";
import { checkSops } from "./sops";
import { checkSource } from "./source";
import { checkTenants } from "./tenants";
import { checkTrustedCAs } from "./trustedCAs";

export { knownHostsName } from "./auth";
export { awsSourceRepository, type AwsSourceRepository } from "./awsSource";
export { isSemverConstraint } from "./source";
export { installTrustedCAsProblems, sourceCaCertProblems } from "./trustedCAs";

/** In this order: the order of the problems is part of the contract (tests assert exact lists). */
const CHECKS: Check[] = [
  checkChoices,
  checkSource,
  checkAwsSource,
  checkCharts,
  checkSops,
  checkAuth,
  checkInstall,
  checkInstallValues,
  checkTrustedCAs,
  checkVars,
  checkExtraSecrets,
  checkReceiver,
  checkSecretsManager,
  checkUrls,
  checkFreeFormSecrets,
  checkTenants,
];

/** Every problem with the Flux settings. */
export const fluxProblems = (flux: ResolvedFluxArgs): Problem[] => CHECKS.flatMap((check) => check(flux));
