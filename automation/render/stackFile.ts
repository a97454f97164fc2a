/**
 * Reads a stack's configuration offline, as the Pulumi CLI would hand it to the program: project
 * defaults from Pulumi.yaml, values from Pulumi.<stack>.yaml. `secure:` values cannot be decrypted
 * without the stack's secrets provider, so they become REDACTED stand-ins, and their exact paths are
 * known (finer than the engine, which only knows which top-level keys hold secrets).
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
// Light modules only: the fleet inventory reads every stack file without loading the program.
import { CONFIG_NAMESPACE, type ConfigSource } from "../../stacks/configSource";
import { REDACTED } from "../../components/secretValue";
import { stackNameProblem } from "../../stacks/stackName";
import { looksPlain } from "../../stacks/stackFileSecrets";
import { parseErrorSummary } from "../../components/parseError";

export class StackFileError extends Error {}

interface ProjectFile {
  config?: Record<string, { default?: unknown } | unknown>;
}

function readSecure(
  value: unknown,
  at: (string | number)[],
  secrets: string[],
  plain: string[] = [],
): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === "secure") {
      secrets.push(at.join("\u0000"));
      if (looksPlain(entries[0][1])) plain.push(at.map(String).join("."));
      return REDACTED;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, readSecure(v, [...at, k], secrets, plain)]));
  }
  if (Array.isArray(value)) return value.map((v, i) => readSecure(v, [...at, i], secrets, plain));
  return value;
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch {
    throw new StackFileError(
      `${path.basename(file)} not found in ${path.dirname(file)}: create it, or pick one of the stacks there`,
    );
  }
}

function parseYaml(file: string, text: string): unknown {
  try {
    return parse(text) ?? {};
  } catch (e) {
    throw new StackFileError(`${path.basename(file)}: ${parseErrorSummary(e, "YAML")}`);
  }
}

const readYaml = async (file: string): Promise<unknown> => parseYaml(file, await readText(file));

/**
 * The last text of each project file (`Pulumi.yaml`) and what it parses to: a fleet renders many
 * stacks of one project in a process, and a parse costs more than a copy. Read every time (an edit
 * between two renders is seen); each caller gets its own copy.
 */
const projectFiles = new Map<string, { text: string; parsed: unknown }>();

async function readProjectFile(file: string): Promise<ProjectFile> {
  const text = await readText(file);
  let memo = projectFiles.get(file);
  if (memo?.text !== text) {
    memo = { text, parsed: parseYaml(file, text) };
    projectFiles.set(file, memo);
  }
  return structuredClone(memo.parsed) as ProjectFile;
}

/** `Pulumi.<stack>.yaml` in `projectDir`; StackFileError when `stack` is not a stack name (a path). */
function stackFilePath(projectDir: string, stack: string): string {
  const problem = stackNameProblem(stack);
  if (problem) throw new StackFileError(`stack ${problem}`);
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** The config source for `stack` of the project in `projectDir`. */
export async function readStackConfig(projectDir: string, stack: string): Promise<ConfigSource> {
  const stackPath = stackFilePath(projectDir, stack);
  const project = await readProjectFile(path.join(projectDir, "Pulumi.yaml"));
  const file = `Pulumi.${stack}.yaml`;
  const stackFile = (await readYaml(stackPath)) as { config?: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    if (decl && typeof decl === "object" && "default" in decl)
      values[key] = (decl as { default: unknown }).default;
  }
  const secrets: string[] = [];
  const plain: string[] = [];
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [fullKey, value] of Object.entries(stackFile.config ?? {})) {
    if (!fullKey.includes(":")) {
      values[fullKey] = readSecure(value, [fullKey], secrets, plain);
    } else if (fullKey.startsWith(prefix)) {
      const key = fullKey.slice(prefix.length);
      values[key] = readSecure(value, [key], secrets, plain);
    }
    // Other namespaces (aws:region, kubernetes:…) configure providers, not the program.
  }
  return {
    stack,
    file,
    values,
    isSecret: (p) => secrets.includes(p.map(String).join("\u0000")),
    // Reported by parsePlatformConfig, with every other problem of the config.
    plainSecure: plain,
    securePaths: secrets.map((p) => p.replaceAll("\u0000", ".")),
    providerConfig: providerEntries(stackFile.config),
  };
}

/**
 * Config of other namespaces (`aws:region`, `kubernetes:…`), which the program's providers read, as
 * the engine would set it: strings, objects as JSON, `secure:` values redacted.
 */
export async function readProviderConfig(projectDir: string, stack: string): Promise<Record<string, string>> {
  const stackFile = (await readYaml(stackFilePath(projectDir, stack))) as {
    config?: Record<string, unknown>;
  };
  return providerEntries(stackFile.config);
}

function providerEntries(config: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config ?? {})) {
    if (!key.includes(":") || key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const plain = readSecure(value, [key], []);
    out[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
  }
  return out;
}
