/**
 * Generates a fleet of platform stacks from one template stack, in a project folder of its own:
 * the render benchmark (100 platforms) and the tests use it; never written into the repository.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";

export interface GenerateOptions {
  /** Project folder holding Pulumi.yaml and the template stack file. */
  projectDir: string;
  /** Template stack, e.g. `local`. */
  template: string;
  /** Number of stacks to generate. */
  count: number;
  /** Folder to create the project in. */
  targetDir: string;
  /** Wave of the i-th stack (0-based). @default first 5% in wave 1, the rest in wave 2 */
  waveOf?: (i: number, count: number) => number;
}

/** Stack names `p001`…: platform names `<template>-p001`… */
export const generatedName = (i: number) => `p${String(i + 1).padStart(3, "0")}`;

/** Write Pulumi.yaml and `count` stack files; returns the stack names. */
export async function generateFleet(o: GenerateOptions): Promise<string[]> {
  await fs.mkdir(o.targetDir, { recursive: true });
  await fs.copyFile(path.join(o.projectDir, "Pulumi.yaml"), path.join(o.targetDir, "Pulumi.yaml"));
  const template = parse(await fs.readFile(path.join(o.projectDir, `Pulumi.${o.template}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  const waveOf = o.waveOf ?? ((i, n) => (i < Math.max(1, Math.round(n * 0.05)) ? 1 : 2));
  const names: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const stack = generatedName(i);
    const config = {
      ...template.config,
      "platform:name": `gen-${stack}`,
      "platform:fleet": { wave: waveOf(i, o.count), group: `g${i % 4}`, labels: { generated: "true" } },
    };
    await fs.writeFile(path.join(o.targetDir, `Pulumi.${stack}.yaml`), stringify({ config }));
    names.push(stack);
  }
  return names;
}
