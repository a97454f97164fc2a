/** Jest's globalTeardown (jest.config.js): runs once after every worker ended. */
import { removeTestGitopsCache } from "./gitopsCache";

export default function globalTeardown(): void {
  removeTestGitopsCache();
}
