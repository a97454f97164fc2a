/**
 * The one rule for a stack name, used wherever a name becomes a file (`Pulumi.<stack>.yaml`) or a
 * folder (`render/<stack>/`): render, check, the fleet's selection and its inventory. Pulumi's own
 * rule (letters, digits, `-`, `_`, `.`, at most 100), so no path separator or space can get in, and
 * no `..` or leading `.`, so the name can never step out of the project folder.
 */

const STACK_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;

/** What is wrong with `name` as a stack name (without where it came from), or undefined. */
export function stackNameProblem(name: string): string | undefined {
  if (STACK_NAME.test(name) && !name.includes("..")) return undefined;
  return `${JSON.stringify(name)} is not a stack name: Pulumi's rule is letters, digits, '-', '_' and '.' (at most 100, not starting with '.', no ".."), so no path, space or slash; the stack is the <stack> of Pulumi.<stack>.yaml in the project folder, e.g. dev`;
}
