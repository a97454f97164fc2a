/** Jest's globalSetup (jest.config.js): runs once before the workers start. */
import { makeTestGitopsCache } from "./gitopsCache";

export default function globalSetup(): void {
  makeTestGitopsCache();
}
