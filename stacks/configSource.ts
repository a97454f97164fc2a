/**
 * Where config values come from: the Pulumi engine (`pulumiConfigSource`) or a stack file read
 * offline (the render engine). `values` has keys without the `platform:` namespace.
 */
export interface ConfigSource {
  stack: string;
  /** File the values are from, for messages (`Pulumi.<stack>.yaml`). */
  file: string;
  values: Record<string, unknown>;
  /** Whether the value at this path (first element is the top-level key) was given as a secret. */
  isSecret(path: readonly (string | number)[]): boolean;
  /** The config of other namespaces (`aws:region`, …), checked with the platform's; unchecked when absent. */
  providerConfig?: Record<string, string>;
  /** The AWS region the provider falls back to outside the stack file (the real engine's AWS_REGION). */
  regionFallback?: string;
  /**
   * Dotted paths of `secure:` values that hold plain text rather than a ciphertext (key material, a
   * token or a kubeconfig written by hand); the offline stack-file reader finds them.
   */
  plainSecure?: string[];
  /**
   * Dotted paths of every `secure:` value of the stack file (below the namespace), where known: a
   * `secure:` value on a field the schema does not declare secret is refused.
   */
  securePaths?: string[];
}

/**
 * Pulumi config namespace of every key (the project name). Here, in a module that imports nothing,
 * so that reading stack files (the fleet inventory) does not load the program.
 */
export const CONFIG_NAMESPACE = "platform";
