/** The program version in every cache key: package.json's version and a hash of the program's source. */
import * as fs from "node:fs";
import * as path from "node:path";
import { programVersion } from "../../../automation/gitops/shared/cache";

describe("programVersion", () => {
  it("is package.json's version with a hash of the source, the same answer every time", () => {
    const { version } = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, "../../../package.json"), "utf8"),
    ) as {
      version: string;
    };
    const v = programVersion();
    expect(v).toMatch(new RegExp(`^${version.replace(/\./g, "\\.")}\\+[0-9a-f]{16}$`));
    expect(programVersion()).toBe(v);
  });
});
