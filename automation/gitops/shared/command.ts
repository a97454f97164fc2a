/** The command line a scaffolder records in the files it writes. */

/** `npm run <tool> -- …` without --repo, --dry-run and --force, values quoted for a shell. */
export function recordedCommandOf(tool: string, argv: string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--dry-run" || argv[i] === "--force" || argv[i].startsWith("--repo=")) continue;
    if (argv[i] === "--repo") {
      i++;
      continue;
    }
    kept.push(/^[\w@%+=:,./-]+$/.test(argv[i]) ? argv[i] : `'${argv[i].replace(/'/g, "'\\''")}'`);
  }
  return `npm run ${tool} -- ${kept.join(" ")}`;
}
