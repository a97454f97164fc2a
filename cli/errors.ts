/**
 * The one list of errors a user can cause, shared by every CLI. Each is printed as its message
 * (what, where, fix) with no stack trace. The modules defining them are loaded only when an error
 * is being reported, so `--help` and the light CLIs do not pay for loading the program.
 */
import { InputError } from "../automation/cli/args";
import { displayPath, OutputError } from "../automation/render/output";

type ErrorClass = new (...args: never[]) => Error;

/** Errors whose message is already what/where/fix. `usage: true`: the usage is printed too, exit 2. */
async function userErrorClasses(): Promise<{ cls: ErrorClass; usage?: boolean }[]> {
  const [config, fleetInventory, stackFile, check, select, runner, gitops, problems] = await Promise.all([
    import("../stacks/config"),
    import("../automation/fleet/inventory"),
    import("../automation/render/stackFile"),
    import("../automation/check/config"),
    import("../automation/fleet/select"),
    import("../automation/fleet/runner"),
    import("../automation/gitops/slices"),
    import("../components/problems"),
  ]);
  const gitopsLint = await import("../automation/gitops");
  const run = await import("../automation/check/run");
  const publish = await import("../automation/gitops/publish");
  return [
    { cls: InputError },
    { cls: OutputError },
    { cls: config.ConfigError },
    { cls: fleetInventory.InventoryError },
    { cls: stackFile.StackFileError },
    { cls: check.PolicyConfigError },
    { cls: run.PolicyRuleError },
    { cls: select.SelectionError, usage: true },
    { cls: runner.PulumiCliError },
    { cls: gitops.ScaffoldError },
    { cls: gitopsLint.LintError },
    { cls: gitopsLint.KustomizeMissing },
    { cls: problems.ArgsError },
    { cls: publish.PublishError },
  ];
}

const FS_REASONS: Record<string, string> = {
  ENOENT: "does not exist",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "is a folder, a file was expected",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EEXIST: "already exists",
};

/** The message (and whether to show the usage) for an error a user caused; undefined for a bug. */
export async function describeUserError(
  e: unknown,
): Promise<{ message: string; usage?: boolean } | undefined> {
  if (typeof e !== "object" || e === null) return undefined;
  // Checked by shape: errors of Node's fs may come from another realm (a vm context, a test runner).
  const errno = e as NodeJS.ErrnoException;
  if (typeof errno.code === "string" && errno.code in FS_REASONS && typeof errno.path === "string")
    return {
      message: `${displayPath(errno.path)}: ${FS_REASONS[errno.code]} (${errno.syscall ?? "access"}): check the path and its permissions`,
    };
  if (e instanceof InputError || e instanceof OutputError) return { message: e.message };
  for (const { cls, usage } of await userErrorClasses())
    if (e instanceof cls) return { message: e.message, usage };
  return undefined;
}
