// npm run fleet -- <preview|up|refresh|destroy|outputs|status|render> [options]   (see automation/fleet/args.ts)
import { fleetMain, PulumiCliError, SelectionError } from "../automation/fleet";
import { StackFileError } from "../automation/render";
import { ConfigError } from "../program/config";
import { InventoryError } from "../automation/fleet/inventory";
import { runCli, UsageError } from "./common";

void runCli(
  async (argv) => {
    try {
      return await fleetMain(argv);
    } catch (e) {
      if (e instanceof SelectionError) throw new UsageError(e.message);
      throw e;
    }
  },
  [InventoryError, StackFileError, ConfigError, PulumiCliError],
);
