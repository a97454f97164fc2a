// npm run fleet -- <preview|up|refresh|destroy|outputs|status|render> [options] (see --help)
import { FLEET_SPEC } from "../automation/fleet/args";
import { start, type Cli } from "./common";

export const fleet: Cli = {
  spec: FLEET_SPEC,
  async run({ argv }, io) {
    const { fleetMain } = await import("../automation/fleet");
    return fleetMain(argv, { out: (line) => io.out(line) });
  },
};

if (require.main === module) start(fleet);
