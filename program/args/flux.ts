import type { PlatformConfig } from "../schema/platform";
import { applyFluxDefaults, fluxProblems, type FluxArgs } from "../../components/flux";
import { prefixProblems, type Problem } from "../../components/problems";

/**
 * FluxBootstrap's Flux settings from the `flux` section. The schema fills in the component's DEFAULTS
 * (so the configuration reference shows them), which leaves the parsed section a complete FluxArgs;
 * this function is where the two types must agree.
 */
export const fluxArgs = (config: PlatformConfig): FluxArgs => config.flux;

/** The component's own checks of the `flux` section, under `flux.`. */
export const fluxConfigProblems = (config: PlatformConfig): Problem[] =>
  prefixProblems("flux", fluxProblems(applyFluxDefaults(fluxArgs(config))));
