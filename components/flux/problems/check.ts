/** The shape of every rule of the Flux settings. */
import type { Problem } from "../../problems";
import type { ResolvedFluxArgs } from "../args";

/** One cross-field rule: the problems it finds, with paths relative to the Flux settings. */
export type Check = (flux: ResolvedFluxArgs) => Problem[];
