/** The build mirror's files: hard links to the repository's own where they share a file system. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BuildMirror } from "../../../automation/gitops/shared/mirror";

describe("BuildMirror", () => {
  it("links the files a build reads (same inode, same bytes), leaves .git out and the repository unchanged", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-links-"));
    try {
      const repo = path.join(root, "repo");
      fs.mkdirSync(path.join(repo, "apps/base"), { recursive: true });
      fs.mkdirSync(path.join(repo, ".git"));
      fs.writeFileSync(path.join(repo, "apps/base/kustomization.yaml"), "resources: [ns.yaml]\n");
      fs.writeFileSync(path.join(repo, "apps/base/ns.yaml"), "kind: Namespace\n");
      fs.writeFileSync(path.join(repo, ".git/config"), "[core]\n");
      const mirror = new BuildMirror(repo, path.join(root, "mirror"));
      mirror.ensure(["apps"]);
      const files = (dir: string) =>
        (fs.readdirSync(dir, { recursive: true }) as string[])
          .filter((f) => fs.statSync(path.join(dir, f)).isFile())
          .sort();
      expect(files(path.join(root, "mirror"))).toEqual(["apps/base/kustomization.yaml", "apps/base/ns.yaml"]);
      for (const f of files(path.join(root, "mirror"))) {
        expect(fs.statSync(path.join(root, "mirror", f)).ino).toBe(fs.statSync(path.join(repo, f)).ino);
        expect(fs.readFileSync(path.join(root, "mirror", f), "utf8")).toBe(
          fs.readFileSync(path.join(repo, f), "utf8"),
        );
      }
      fs.rmSync(path.join(root, "mirror"), { recursive: true });
      expect(fs.readFileSync(path.join(repo, "apps/base/ns.yaml"), "utf8")).toBe("kind: Namespace\n");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
