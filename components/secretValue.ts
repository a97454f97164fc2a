// A leaf module: it imports nothing of ours.

/** Stand-in for a `secure:` value the offline render cannot decrypt. */
export const REDACTED = "[redacted]";

/**
 * A value that came from a `secure:` entry of the stack file (or must have). It never prints its
 * value: `String()`, `JSON.stringify` and `util.inspect` all show `[secret]`, so a config object can
 * be logged or snapshotted safely. Components wrap `.value` in `pulumi.secret` before use.
 */
export class SecretValue {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The plaintext. Only for `pulumi.secret(...)` and validations that must look inside. */
  get value(): string {
    return this.#value;
  }
  /** False for the render's stand-in: checks that look inside a secret skip unknown values. */
  get known(): boolean {
    return this.#value !== REDACTED;
  }
  toString(): string {
    return "[secret]";
  }
  toJSON(): string {
    return "[secret]";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "[secret]";
  }
}
