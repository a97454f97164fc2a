/** Reads the fleet inventory from the stack files of a project directory. */
import { promises as fs } from "node:fs";
import { readStackConfig } from "../render/stackFile";
import { stackNameProblem } from "../../stacks/stackName";
import { buildInventory, InventoryError, type Inventory, type StackEntry } from "./inventory";

const STACK_FILE = /^Pulumi\.([^.]+)\.yaml$/;

/** Stack names of the project: one per `Pulumi.<stack>.yaml`, sorted. */
export async function listStacks(projectDir: string): Promise<string[]> {
  const names = await fs.readdir(projectDir);
  return names
    .map((n) => STACK_FILE.exec(n)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** The validated inventory of the project in `projectDir` (throws InventoryError or StackFileError). */
export async function loadInventory(projectDir: string): Promise<Inventory> {
  const entries: StackEntry[] = [];
  const stacks = await listStacks(projectDir);
  const misnamed = stacks.flatMap((stack) => {
    const problem = stackNameProblem(stack);
    return problem ? [`Pulumi.${stack}.yaml: stack ${problem}: rename the file`] : [];
  });
  if (misnamed.length) throw new InventoryError(misnamed);
  for (const stack of stacks) {
    const source = await readStackConfig(projectDir, stack);
    entries.push({ stack, file: source.file, values: source.values });
  }
  return buildInventory(entries);
}
