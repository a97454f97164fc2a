/**
 * Bad input to the Git-side tools from a merge request (issue 24, "Hostile input, round three"):
 * a fleet repository tree whose author is not trusted with the cluster or the CI machine, and
 * values given to gitops:new-slice and gitops:publish. Same rows as ./badInputRows.ts (the table
 * test runs both); `links` makes symbolic links, `git` commits a folder, `never` lists what must not
 * be printed. Each row's `{tmp}/outside/` holds what a tool must never read (a private key, a
 * kustomization) and `{tmp}/repo/` the fleet repository.
 *
 * Every row asserts the exit code, the exact message (file, line, what and the fix), that nothing
 * in `{tmp}` (the outside files included) was written or deleted, and that no secret was printed.
 */
import type { BadInputRow } from "./badInputRows";
import { gitopsDiff } from "../../../cli/gitops-diff";
import { gitopsLint } from "../../../cli/gitops-lint";
import { gitopsNewSlice } from "../../../cli/gitops-new-slice";
import { gitopsNewTenant } from "../../../cli/gitops-new-tenant";
import { gitopsPublish } from "../../../cli/gitops-publish";
import { FLUX_APPS, KUSTOMIZATION, LAUGHS, NEVER, SECRET, SECRET_LINE } from "../gitops/hostileFleet";

/** A fleet repository of one platform, dev: its root applies Kustomization apps, which builds apps/. */
const FLEET: Record<string, string> = {
  "repo/clusters/dev/kustomization.yaml": `${KUSTOMIZATION}resources:\n  - apps.yaml\n`,
  "repo/clusters/dev/apps.yaml": FLUX_APPS,
  "repo/apps/config.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  mode: fast\n",
  "outside/id_rsa": SECRET,
  "outside/leak.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\n  namespace: default\ndata:\n  key: ${SECRET_LINE}\n`,
  "outside/base/kustomization.yaml": `${KUSTOMIZATION}resources:\n  - ../leak.yaml\n`,
  "outside/victim.yaml": `# a file outside the repository: ${SECRET_LINE}\n`,
};

/** The fleet with apps/kustomization.yaml listing config.yaml (line 4) and then `more` (from line 5). */
const apps = (more = "", files: Record<string, string> = {}): Record<string, string> => ({
  ...FLEET,
  "repo/apps/kustomization.yaml": `${KUSTOMIZATION}resources:\n  - config.yaml\n${more}`,
  ...files,
});

const LINT = ["{tmp}/repo", "--project", "{tmp}"];
const DIFF = ["main", "--repo", "{tmp}/repo", "--project", "{tmp}"];

const OUT = (link: string) =>
  `${link} is a symbolic link that leads outside the repository: the Git-side tools read only files inside it (a merge request could otherwise print any file of the CI machine); replace the link with the file itself, or point it at a file of the repository`;
const NOWHERE = (link: string) =>
  `${link} is a symbolic link that points at nothing (or at itself): replace it with the file itself, or remove it`;
const GIT_DIR =
  ".git/, which is Git's own (in CI it holds the remote's credentials), not the tree: the tools never read it";
const REMOTE = (field: string, entry: string) =>
  `${field} entry "${entry}" is fetched from outside the repository: the Git-side tools never reach the network (they run in merge-request pipelines), and what a remote base holds is not reviewed here; vendor it into the repository (a directory listed by its path), or publish it as an OCI artifact and apply it with an OCIRepository and its own Flux Kustomization`;
const CREDENTIALS = (where: string) =>
  `must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in ${where}`;
const SECRET_REF = "spec.secretRef (a Secret of the namespace, SOPS-encrypted in Git)";
const TLS = "must use https://: what is fetched from it is run or trusted, so it must come over TLS";
const INSECURE =
  "spec.insecure: true fetches over plain http, so anyone on the way can change what the cluster applies: serve it over https (a private CA goes in spec.certSecretRef) and remove spec.insecure";
const EXPANDS =
  'invalid YAML: its aliases expand to more than 100 times their anchors (a resource-exhaustion pattern, "billion laughs"): write the values out';
const EARLY =
  "invalid YAML: an alias (*name) is used before its anchor (&name) is set: set the anchor first, or write the value out";
const REGISTRY =
  "the registry's auths entry of ~/.docker/config.json ($DOCKER_CONFIG), or --username with PLATFORM_REGISTRY_PASSWORD or --password-stdin";

/** gitops:lint on the row's repository: exit 1, each `says` a finding line (or part of one). */
const lint = (
  files: Record<string, string>,
  says: string[],
  more: Partial<BadInputRow> = {},
): BadInputRow => ({
  cli: gitopsLint,
  argv: LINT,
  files,
  code: 1,
  says,
  never: NEVER,
  ...more,
});

/** gitops:diff of the committed repository against its working tree: exit 2, the tree does not build. */
const diff = (
  files: Record<string, string>,
  says: string[],
  more: Partial<BadInputRow> = {},
): BadInputRow => ({
  cli: gitopsDiff,
  argv: DIFF,
  files,
  git: "repo",
  code: 2,
  says: [...says, "gitops:diff: incomplete: 1 platform could not be built completely"],
  never: NEVER,
  ...more,
});

/** A source of apps/sources.yaml (listed at line 5): `spec` is its spec's YAML, from line 7. */
const source = (kind: string, api: string, spec: string) =>
  apps("  - sources.yaml\n", {
    "repo/apps/sources.yaml": `apiVersion: source.toolkit.fluxcd.io/${api}\nkind: ${kind}\nmetadata:\n  name: vendor\n  namespace: flux-system\nspec:\n  interval: 10m\n${spec}`,
  });

/** A repository with one slice model, m (catalog/slices/m/slice.yaml uses SST, SD and DNN), and platform dev. */
const SLICE_REPO: Record<string, string> = {
  "repo/clusters/dev/kustomization.yaml": `${KUSTOMIZATION}resources: []\n`,
  "repo/catalog/slices/m/kustomization.yaml": `${KUSTOMIZATION}resources:\n  - slice.yaml\n`,
  "repo/catalog/slices/m/slice.yaml":
    "apiVersion: catalog.platform.io/v1alpha1\nkind: Slice\nmetadata:\n  name: slice-${SST}-${SD}\nspec:\n  dnn: ${DNN}\n",
  "outside/victim.yaml": FLEET["outside/victim.yaml"],
  "outside/id_rsa": SECRET,
};
const newSlice = (...more: string[]) => [
  "--repo",
  "{tmp}/repo",
  "--cluster",
  "dev",
  "--model",
  "m",
  "--sst",
  "1",
  "--sd",
  "aa0001",
  ...more,
];
const CONTROL = (flag: string) =>
  `${flag}: the value holds a newline or another control character: give it on one line (Flux substitutes it into the YAML of every object of the model)`;
const LINK_WRITE = (p: string, what: "file" | "folder") =>
  `${p} is a symbolic link: gitops:new-slice writes only real folders and files of the repository (a link could send the write outside it); replace the link with the ${what} itself, or remove it`;
const INJECTED = "kind: ClusterRoleBinding";

export const gitsideRows: BadInputRow[] = [
  // ---- symbolic links that lead out of the repository: refused, named, never followed ----
  lint(
    apps("configMapGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - id_rsa\n"),
    [
      `apps/id_rsa:1: [symlink] ${OUT("apps/id_rsa")}`,
      `apps/kustomization.yaml:9: [symlink] configMapGenerator.files file "id_rsa": ${OUT("apps/id_rsa")} (dev)`,
    ],
    { links: { "repo/apps/id_rsa": "{tmp}/outside/id_rsa" } },
  ),
  lint(
    apps("configMapGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - key=id_rsa\n"),
    [
      `apps/kustomization.yaml:9: [symlink] configMapGenerator.files file "id_rsa": ${OUT("apps/id_rsa")} (dev)`,
    ],
    { links: { "repo/apps/id_rsa": "../../outside/id_rsa" } },
  ),
  lint(
    apps("secretGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - id_rsa\n"),
    [`apps/kustomization.yaml:9: [symlink] secretGenerator.files file "id_rsa": ${OUT("apps/id_rsa")} (dev)`],
    { links: { "repo/apps/id_rsa": "{tmp}/outside/id_rsa" } },
  ),
  lint(
    apps("configMapGenerator:\n  - name: leak\n    namespace: default\n    envs:\n      - vars.env\n"),
    [
      `apps/kustomization.yaml:9: [symlink] configMapGenerator.envs file "vars.env": ${OUT("apps/vars.env")} (dev)`,
    ],
    { links: { "repo/apps/vars.env": "{tmp}/outside/id_rsa" } },
  ),
  lint(
    apps("  - leak.yaml\n"),
    [
      `apps/leak.yaml:1: [symlink] ${OUT("apps/leak.yaml")}`,
      `apps/kustomization.yaml:5: [symlink] resources entry "leak.yaml": ${OUT("apps/leak.yaml")} (dev)`,
    ],
    { links: { "repo/apps/leak.yaml": "{tmp}/outside/leak.yaml" } },
  ),
  lint(
    apps("  - vendor\n"),
    [`apps/kustomization.yaml:5: [symlink] resources entry "vendor": ${OUT("apps/vendor")} (dev)`],
    { links: { "repo/apps/vendor": "{tmp}/outside/base" } },
  ),
  lint(
    apps("components:\n  - vendor\n"),
    [`apps/kustomization.yaml:6: [symlink] components entry "vendor": ${OUT("apps/vendor")} (dev)`],
    { links: { "repo/apps/vendor": "../../outside/base" } },
  ),
  lint(
    apps("patches:\n  - path: patch.yaml\n"),
    [`apps/kustomization.yaml:6: [symlink] patches.path file "patch.yaml": ${OUT("apps/patch.yaml")} (dev)`],
    { links: { "repo/apps/patch.yaml": "{tmp}/outside/leak.yaml" } },
  ),
  lint(
    apps("configMapGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - out/id_rsa\n"),
    [
      `apps/out:1: [symlink] ${OUT("apps/out")}`,
      `apps/kustomization.yaml:9: [symlink] configMapGenerator.files file "out/id_rsa": ${OUT("apps/out")} (dev)`,
    ],
    { links: { "repo/apps/out": "{tmp}/outside" } },
  ),
  lint(
    // A directory without kustomization.yaml: kustomize-controller's generated one would take the link.
    Object.fromEntries(Object.entries(apps()).filter(([f]) => f !== "repo/apps/kustomization.yaml")),
    [`apps/leak.yaml:1: [symlink] ${OUT("apps/leak.yaml")}`],
    { links: { "repo/apps/leak.yaml": "{tmp}/outside/leak.yaml" } },
  ),
  lint(
    apps(),
    [
      `clusters/dev/apps.yaml:8: [symlink] Kustomization flux-system/apps path "./vendor": ${OUT("vendor")} (dev)`,
    ],
    {
      files: {
        ...apps(),
        "repo/clusters/dev/apps.yaml": FLEET["repo/clusters/dev/apps.yaml"].replace("./apps", "./vendor"),
      },
      links: { "repo/vendor": "{tmp}/outside/base" },
    },
  ),
  lint(
    apps("configMapGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - gitconfig\n"),
    [
      `apps/kustomization.yaml:9: [symlink] configMapGenerator.files file "gitconfig": apps/gitconfig leads through a symbolic link into ${GIT_DIR} (dev)`,
    ],
    { links: { "repo/apps/gitconfig": "../.git/config" }, git: "repo" },
  ),
  lint(
    apps("configMapGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - ../.git/config\n"),
    [
      `apps/kustomization.yaml:9: [symlink] configMapGenerator.files file "../.git/config": .git/config is inside ${GIT_DIR} (dev)`,
    ],
    { git: "repo" },
  ),
  lint(
    apps("  - gone.yaml\n"),
    [
      `apps/gone.yaml:1: [symlink] ${NOWHERE("apps/gone.yaml")}`,
      `apps/kustomization.yaml:5: [symlink] resources entry "gone.yaml": ${NOWHERE("apps/gone.yaml")} (dev)`,
    ],
    { links: { "repo/apps/gone.yaml": "nothing.yaml" } },
  ),
  lint(
    apps("  - loop.yaml\n"),
    [`apps/kustomization.yaml:5: [symlink] resources entry "loop.yaml": ${NOWHERE("apps/loop.yaml")} (dev)`],
    { links: { "repo/apps/loop.yaml": "loop2.yaml", "repo/apps/loop2.yaml": "loop.yaml" } },
  ),

  // ---- remote bases, resources, components and files: refused before kustomize runs ----
  lint(apps("  - https://github.com/acme/bases//ingress?ref=v1.2.0\n"), [
    `apps/kustomization.yaml:5: [remote] ${REMOTE("resources", "https://github.com/acme/bases//ingress?ref=v1.2.0")} (dev)`,
  ]),
  lint(apps("  - github.com/acme/bases/ingress?ref=main\n"), [
    `apps/kustomization.yaml:5: [remote] ${REMOTE("resources", "github.com/acme/bases/ingress?ref=main")} (dev)`,
  ]),
  lint(apps("  - git::https://git.example.com/acme/bases.git//ingress?ref=main\n"), [
    `apps/kustomization.yaml:5: [remote] ${REMOTE("resources", "git::https://git.example.com/acme/bases.git//ingress?ref=main")} (dev)`,
  ]),
  lint(apps("  - ssh://git@git.example.com/acme/bases.git//ingress\n"), [
    `apps/kustomization.yaml:5: [remote] ${REMOTE("resources", "ssh://***@git.example.com/acme/bases.git//ingress")} (dev)`,
  ]),
  lint(apps("  - git@github.com:acme/bases.git//ingress\n"), [
    `apps/kustomization.yaml:5: [remote] ${REMOTE("resources", "git@github.com:acme/bases.git//ingress")} (dev)`,
  ]),
  lint(apps("  - git::file://{tmp}/outside//base\n"), [
    `[remote] resources entry "git::file://`,
    '/outside//base" is fetched',
  ]),
  lint(apps("  - https://raw.githubusercontent.com/acme/x/main/deploy.yaml\n"), [
    `apps/kustomization.yaml:5: [remote] ${REMOTE("resources", "https://raw.githubusercontent.com/acme/x/main/deploy.yaml")} (dev)`,
  ]),
  lint(
    apps("  - https://bot:ghp_hunter2token@github.com/acme/private//base?ref=v1\n"),
    [
      `apps/kustomization.yaml:5: [remote] ${REMOTE("resources", "https://***@github.com/acme/private//base?ref=v1")} (dev)`,
    ],
    { never: [...NEVER, "ghp_hunter2token"] },
  ),
  lint(apps("bases:\n  - https://github.com/acme/bases//old?ref=v1\n"), [
    `apps/kustomization.yaml:6: [remote] ${REMOTE("bases", "https://github.com/acme/bases//old?ref=v1")} (dev)`,
  ]),
  lint(apps("components:\n  - https://github.com/acme/bases//component?ref=v1\n"), [
    `apps/kustomization.yaml:6: [remote] ${REMOTE("components", "https://github.com/acme/bases//component?ref=v1")} (dev)`,
  ]),
  lint(apps("patches:\n  - path: https://example.com/patch.yaml\n"), [
    `apps/kustomization.yaml:6: [remote] ${REMOTE("patches.path", "https://example.com/patch.yaml")} (dev)`,
  ]),
  lint(apps("crds:\n  - https://example.com/crd.yaml\n"), [
    `apps/kustomization.yaml:6: [remote] ${REMOTE("crds", "https://example.com/crd.yaml")} (dev)`,
  ]),
  lint(apps("transformers:\n  - https://github.com/acme/bases//transformers?ref=v1\n"), [
    `apps/kustomization.yaml:6: [remote] ${REMOTE("transformers", "https://github.com/acme/bases//transformers?ref=v1")} (dev)`,
  ]),
  lint(
    apps(
      "configMapGenerator:\n  - name: x\n    namespace: default\n    files:\n      - https://example.com/values.yaml\n",
    ),
    [
      `apps/kustomization.yaml:9: [remote] ${REMOTE("configMapGenerator.files", "https://example.com/values.yaml")} (dev)`,
    ],
  ),
  lint(apps("openapi:\n  path: https://example.com/schema.json\n"), [
    `apps/kustomization.yaml:6: [remote] ${REMOTE("openapi.path", "https://example.com/schema.json")} (dev)`,
  ]),

  // ---- kustomize's default load restrictor: a kustomization reads files of its own directory ----
  lint(
    apps("patches:\n  - path: ../shared/patch.yaml\n", {
      "repo/shared/patch.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: slow\n",
    }),
    [
      `apps/kustomization.yaml:6: [load-restrictor] patches.path file "../shared/patch.yaml" is outside the kustomization's directory apps/: kustomize's default load restrictor refuses a file there (the Git-side tools build with it, so a kustomization cannot read files of another); move the file into apps/, or make the shared part a kustomize component (a directory with its own kustomization.yaml of kind Component) and list it under components: (dev)`,
    ],
  ),
  lint(
    apps("  - ../shared/extra.yaml\n", {
      "repo/shared/extra.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: default\ndata:\n  a: b\n",
    }),
    [
      `apps/kustomization.yaml:5: [load-restrictor] resources entry "../shared/extra.yaml" is outside the kustomization's directory apps/: kustomize's default load restrictor refuses a file there`,
    ],
  ),

  // ---- YAML that would exhaust memory or crash: a finding at its line, nothing quoted ----
  lint(apps("  - bomb.yaml\n", { "repo/apps/bomb.yaml": `apiVersion: v1\nkind: ConfigMap\n${LAUGHS}\n` }), [
    `apps/bomb.yaml:1: [yaml] ${EXPANDS}`,
  ]),
  lint(
    apps("", {
      "repo/apps/early.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: early\ndata:\n  a: *key\n  b: &key ${SECRET_LINE}\n`,
    }),
    [`apps/early.yaml:6: [yaml] ${EARLY}`],
  ),
  lint(apps("", { "repo/notes/bomb.yml": `${LAUGHS}\n` }), [`notes/bomb.yml:1: [yaml] ${EXPANDS}`]),
  lint(
    {
      ...apps(),
      "repo/apps/kustomization.yaml": `${KUSTOMIZATION}resources:\n  - *missing\n  - config.yaml\n`,
    },
    [`apps/kustomization.yaml:4: [yaml] ${EARLY}`],
  ),
  lint(
    apps("", {
      "repo/apps/two.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n---\nkind: Secret\ndata:\n  token: *nowhere\n`,
    }),
    [`apps/two.yaml:8: [yaml] ${EARLY}`],
  ),

  // ---- sizes: one file at most 5 MiB, refused by its size before it is read ----
  lint(apps("  - big.yaml\n", { "repo/apps/big.yaml": `# ${"x".repeat(6 * 1024 * 1024)}\n` }), [
    "apps/big.yaml:1: [size] apps/big.yaml is 6.0 MiB, more than the 5.0 MiB a file of the repository may be for the Git-side tools (and far more than Kubernetes stores in one object): split it, or keep it out of the tree",
  ]),
  lint(
    apps("configMapGenerator:\n  - name: blob\n    namespace: default\n    files:\n      - blob.bin\n", {
      "repo/apps/blob.bin": "0".repeat(5.5 * 1024 * 1024),
    }),
    [
      'apps/kustomization.yaml:9: [size] configMapGenerator.files file "blob.bin": apps/blob.bin is 5.5 MiB, more than the 5.0 MiB a file of the repository may be',
    ],
  ),
  lint(apps("  - key.yaml\n", { "repo/apps/key.yaml": SECRET }), [
    "apps/key.yaml:1: [manifest] apps/key.yaml: the document at line 1 is not a Kubernetes object (a mapping with apiVersion and kind), so kustomize cannot build it: remove it, or list the file under a generator if it is data",
  ]),

  // ---- Flux sources: no credential in a URL, TLS where content is fetched ----
  lint(
    source(
      "GitRepository",
      "v1",
      "  url: https://bot:hunter2pass@git.example.com/acme/app.git\n  ref:\n    branch: main\n",
    ),
    [
      `apps/sources.yaml:8: [source-url] GitRepository flux-system/vendor: spec.url https://***@git.example.com/acme/app.git ${CREDENTIALS(`${SECRET_REF}: username and password, or an SSH key`)}`,
    ],
    { never: [...NEVER, "hunter2pass"] },
  ),
  lint(
    source(
      "GitRepository",
      "v1",
      "  url: https://ghp_0123456789abcdefTOKEN@github.com/acme/app\n  ref:\n    branch: main\n",
    ),
    [
      `[source-url] GitRepository flux-system/vendor: spec.url https://***@github.com/acme/app must not carry credentials`,
    ],
    { never: [...NEVER, "ghp_0123456789abcdefTOKEN"] },
  ),
  lint(
    source(
      "GitRepository",
      "v1",
      "  url: ssh://git:hunter2pass@git.example.com/acme/app.git\n  ref:\n    branch: main\n",
    ),
    [
      `[source-url] GitRepository flux-system/vendor: spec.url ssh://***@git.example.com/acme/app.git must not carry credentials`,
    ],
    { never: [...NEVER, "hunter2pass"] },
  ),
  lint(
    source("GitRepository", "v1", "  url: http://git.example.com/acme/app.git\n  ref:\n    branch: main\n"),
    [
      `apps/sources.yaml:8: [source-url] GitRepository flux-system/vendor: spec.url http://git.example.com/acme/app.git ${TLS}`,
    ],
  ),
  lint(source("HelmRepository", "v1", "  url: http://charts.example.com/stable\n"), [
    `apps/sources.yaml:8: [source-url] HelmRepository flux-system/vendor: spec.url http://charts.example.com/stable ${TLS}`,
  ]),
  lint(
    source("HelmRepository", "v1", "  url: https://admin:hunter2pass@charts.example.com/stable\n"),
    [
      `apps/sources.yaml:8: [source-url] HelmRepository flux-system/vendor: spec.url https://***@charts.example.com/stable ${CREDENTIALS(`${SECRET_REF}: username and password`)}`,
    ],
    { never: [...NEVER, "hunter2pass"] },
  ),
  lint(
    source(
      "HelmRepository",
      "v1",
      "  type: oci\n  insecure: true\n  url: oci://registry.example.com/charts\n",
    ),
    [`apps/sources.yaml:9: [source-url] HelmRepository flux-system/vendor: ${INSECURE}`],
  ),
  lint(
    source(
      "OCIRepository",
      "v1",
      "  insecure: true\n  url: oci://registry.example.com/acme/app\n  ref:\n    tag: v1\n",
    ),
    [`apps/sources.yaml:8: [source-url] OCIRepository flux-system/vendor: ${INSECURE}`],
  ),
  lint(
    source(
      "OCIRepository",
      "v1",
      "  url: oci://robot:hunter2pass@registry.example.com/acme/app\n  ref:\n    tag: v1\n",
    ),
    [
      `apps/sources.yaml:8: [source-url] OCIRepository flux-system/vendor: spec.url oci://***@registry.example.com/acme/app ${CREDENTIALS(`${SECRET_REF} of type dockerconfigjson, or spec.provider (aws, azure, gcp)`)}`,
    ],
    { never: [...NEVER, "hunter2pass"] },
  ),
  lint(source("Bucket", "v1", "  bucketName: fleet\n  endpoint: minio.example.com\n  insecure: true\n"), [
    `apps/sources.yaml:10: [source-url] Bucket flux-system/vendor: ${INSECURE}`,
  ]),

  // ---- gitops:diff: a tree that does not build is exit 2, whatever else it finds ----
  diff(
    apps("configMapGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - id_rsa\n"),
    [`apps/kustomization.yaml:9: configMapGenerator.files file "id_rsa": ${OUT("apps/id_rsa")}`],
    { links: { "repo/apps/id_rsa": "../../outside/id_rsa" } },
  ),
  diff(
    apps("  - leak.yaml\n"),
    [`apps/kustomization.yaml:5: resources entry "leak.yaml": ${OUT("apps/leak.yaml")}`],
    {
      links: { "repo/apps/leak.yaml": "{tmp}/outside/leak.yaml" },
    },
  ),
  diff(apps("  - https://github.com/acme/bases//ingress?ref=v1.2.0\n"), [
    `apps/kustomization.yaml:5: ${REMOTE("resources", "https://github.com/acme/bases//ingress?ref=v1.2.0")}`,
    "**Incomplete**: 1 of 1 platforms could not be built completely (below), so what they get is not known.",
  ]),
  diff(apps("  - git::https://git.example.com/acme/bases.git//x?ref=main\n"), [
    `apps/kustomization.yaml:5: ${REMOTE("resources", "git::https://git.example.com/acme/bases.git//x?ref=main")}`,
  ]),
  diff(apps("  - missing.yaml\n"), [
    'apps/kustomization.yaml:5: resources entry "missing.yaml" does not exist (apps/missing.yaml)',
  ]),
  diff(apps("  - bomb.yaml\n", { "repo/apps/bomb.yaml": `apiVersion: v1\nkind: ConfigMap\n${LAUGHS}\n` }), [
    `apps/bomb.yaml:1: ${EXPANDS}`,
  ]),
  diff(apps("  - key.yaml\n", { "repo/apps/key.yaml": SECRET }), [
    "apps/key.yaml:1: apps/key.yaml: the document at line 1 is not a Kubernetes object",
  ]),
  diff(
    apps("patches:\n  - path: patch.yaml\n", {
      "repo/apps/patch.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nosuch\n  namespace: default\ndata:\n  a: b\n",
    }),
    ['Kustomization flux-system/apps path "./apps": kustomize build fails'],
    // Unchanged since main, the tree is skipped unless --all builds every platform (docs/gitops.md).
    { argv: [...DIFF, "--all"] },
  ),
  diff(
    apps("configMapGenerator:\n  - name: leak\n    namespace: default\n    files:\n      - ../.git/config\n"),
    [`configMapGenerator.files file "../.git/config": .git/config is inside ${GIT_DIR}`],
  ),

  // ---- gitops:new-slice: one line per value, written by the YAML library, never through a link ----
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", `internet"\n---\napiVersion: rbac.authorization.k8s.io/v1\n${INJECTED}`),
    files: SLICE_REPO,
    code: 1,
    says: ["cannot scaffold a slice of model m:", CONTROL("--dnn (DNN)")],
    never: [INJECTED],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet", "--set", `DNN2=x\n${INJECTED}`),
    files: SLICE_REPO,
    code: 1,
    says: [CONTROL("--dnn2 (DNN2)")],
    never: [INJECTED],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet", "--set", `info_owner=ran\n---\n${INJECTED}`),
    files: SLICE_REPO,
    code: 1,
    says: [CONTROL("--info-owner (info_owner)")],
    never: [INJECTED],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet", "--set", "info_x\nkind=1"),
    files: SLICE_REPO,
    code: 1,
    says: ['"info_x\\nkind" is not a valid variable name: it holds a newline or another control character'],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet", "--set", "info_a: b=1"),
    files: SLICE_REPO,
    code: 1,
    says: ["info_a: b is not a valid ConfigMap key: use letters, digits, '-', '_' and '.'"],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet\r"),
    files: SLICE_REPO,
    code: 1,
    says: [CONTROL("--dnn (DNN)")],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "inter\u0000net"),
    files: SLICE_REPO,
    code: 1,
    says: [CONTROL("--dnn (DNN)")],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "inter\u2028net"),
    files: SLICE_REPO,
    code: 1,
    says: [CONTROL("--dnn (DNN)")],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "a\tb"),
    files: SLICE_REPO,
    code: 1,
    says: [CONTROL("--dnn (DNN)")],
  },
  ...["internet: {role: cluster-admin}", '"x"\n', "[a, b]", "*anchor", 'fac"tory: x'].map(
    (dnn): BadInputRow => ({
      cli: gitopsNewSlice,
      argv: newSlice("--dnn", dnn),
      files: SLICE_REPO,
      code: 1,
      says: [
        dnn.includes("\n")
          ? CONTROL("--dnn (DNN)")
          : "--dnn (DNN): Flux substitutes the value into the YAML of the model's Slice slice-${SST}-${SD}, where it would not stay one value (it holds YAML syntax such as ': ', quotes, brackets, braces, '*' or '&'): give plain text",
      ],
    }),
  ),
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet", "--force"),
    files: SLICE_REPO,
    links: { "repo/clusters/dev/slices/1-aa0001/slice.yaml": "{tmp}/outside/victim.yaml" },
    code: 1,
    says: [LINK_WRITE("clusters/dev/slices/1-aa0001/slice.yaml", "file")],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet", "--force"),
    files: SLICE_REPO,
    links: { "repo/clusters/dev/slices/1-aa0001/slice-vars.yaml": "../../../../../outside/victim.yaml" },
    code: 1,
    says: [LINK_WRITE("clusters/dev/slices/1-aa0001/slice-vars.yaml", "file")],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet"),
    files: SLICE_REPO,
    links: { "repo/clusters/dev/slices": "{tmp}/outside" },
    code: 1,
    says: [LINK_WRITE("clusters/dev/slices", "folder")],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet", "--force"),
    files: { ...SLICE_REPO, "repo/clusters/other/keep.yaml": "a: 1\n" },
    links: { "repo/clusters/dev/slices/1-aa0001": "../../other" },
    code: 1,
    says: [LINK_WRITE("clusters/dev/slices/1-aa0001", "folder")],
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet"),
    files: Object.fromEntries(
      Object.entries(SLICE_REPO).filter(([f]) => f !== "repo/catalog/slices/m/slice.yaml"),
    ),
    links: { "repo/catalog/slices/m/slice.yaml": "{tmp}/outside/id_rsa" },
    code: 1,
    says: [
      `model m does not build: catalog/slices/m/kustomization.yaml:4: resources entry "slice.yaml": ${OUT("catalog/slices/m/slice.yaml")}`,
    ],
    never: NEVER,
  },
  {
    cli: gitopsNewSlice,
    argv: newSlice("--dnn", "internet"),
    files: {
      ...SLICE_REPO,
      "repo/catalog/slices/m/slice.yaml": `${SLICE_REPO["repo/catalog/slices/m/slice.yaml"]}${LAUGHS}\n`,
    },
    code: 1,
    says: [`model m does not build: catalog/slices/m/slice.yaml:1: ${EXPANDS}`],
  },

  // ---- gitops:publish: no credential in a registry or source URL, none printed ----
  {
    cli: gitopsPublish,
    argv: ["oci://bot:hunter2pass@registry.example.com/acme/fleet", "--dry-run", "--dir", "{tmp}/nope"],
    code: 1,
    says: [`the target oci://***@registry.example.com/acme/fleet: ${CREDENTIALS(REGISTRY)}`],
    never: ["hunter2pass"],
  },
  {
    cli: gitopsPublish,
    argv: ["oci://ghp_hunter2token@registry.example.com/acme/fleet", "--dry-run", "--dir", "{tmp}/nope"],
    code: 1,
    says: [`the target oci://***@registry.example.com/acme/fleet: ${CREDENTIALS(REGISTRY)}`],
    never: ["ghp_hunter2token"],
  },
  {
    cli: gitopsPublish,
    argv: [
      "oci://registry.example.com/acme/fleet",
      "--charts-to",
      "oci://AWS:hunter2pass@123456789012.dkr.ecr.eu-central-1.amazonaws.com/charts",
      "--dry-run",
      "--dir",
      "{tmp}/nope",
    ],
    code: 1,
    says: [
      `--charts-to oci://***@123456789012.dkr.ecr.eu-central-1.amazonaws.com/charts: ${CREDENTIALS(REGISTRY)}`,
    ],
    never: ["hunter2pass"],
  },
  {
    cli: gitopsPublish,
    argv: ["https://bot:hunter2pass@registry.example.com/acme/fleet", "--dry-run", "--dir", "{tmp}/nope"],
    code: 1,
    says: [`the target https://***@registry.example.com/acme/fleet: ${CREDENTIALS(REGISTRY)}`],
    never: ["hunter2pass"],
  },
  {
    cli: gitopsPublish,
    argv: ["oci://registry.example.com/acme/fleet\n--insecure-http", "--dry-run", "--dir", "{tmp}/nope"],
    code: 1,
    says: ["the target: the URL holds a newline or another control character: give it on one line"],
  },
  {
    cli: gitopsPublish,
    argv: [
      "oci://registry.example.com/acme/fleet",
      "--source",
      "https://bot:hunter2pass@github.com/acme-telco/platform-fleet",
      "--tag",
      "v9.9.9",
      "--allow-dirty",
      "--dry-run",
      "--dir",
      "{root}/gitops",
    ],
    code: 1,
    says: [
      `--source https://***@github.com/acme-telco/platform-fleet: ${CREDENTIALS("no URL: --source is only the repository's address, published with the artifact")}`,
    ],
    never: ["hunter2pass"],
  },
  // gitops:new-tenant (issue 27): a vendor's values, refused before anything is written.
  {
    cli: gitopsNewTenant,
    argv: newTenant("--url", "ssh://bot:hunter2pass@git.vendor.example/nf/smf.git", "--ref", "tag:v1.0.0"),
    files: FLEET,
    code: 1,
    says: [
      "cannot scaffold tenant vendor:",
      `--url ssh://***@git.vendor.example/nf/smf.git ${CREDENTIALS("the tenant's Secret (an SSH key; see docs/tenants.md)")}`,
    ],
    never: ["hunter2pass", ...NEVER],
  },
  {
    cli: gitopsNewTenant,
    argv: newTenant("--url", "ssh://git@git.vendor.example/smf.git", "--ref", `tag:v1\n---\n${INJECTED}`),
    files: FLEET,
    code: 1,
    says: ["--ref: the value holds a newline or another control character: give it on one line"],
    never: [INJECTED],
  },
  {
    cli: gitopsNewTenant,
    argv: [
      ...newTenant("--url", "ssh://git@git.vendor.example/smf.git", "--ref", "tag:v1"),
      "--cluster",
      "prod",
    ],
    files: FLEET,
    code: 2,
    says: ["--cluster is given twice: give it once"],
  },
  {
    cli: gitopsNewTenant,
    argv: newTenant("--url", "ssh://git@git.vendor.example/smf.git", "--ref", "tag:v1", "--namspaces", "a"),
    files: FLEET,
    code: 2,
    says: ["unknown option --namspaces: did you mean --namespaces?"],
  },
  {
    cli: gitopsNewTenant,
    argv: newTenant(
      "--url",
      "ssh://git@git.vendor.example/smf.git",
      "--ref",
      "tag:v1",
      "--namespaces",
      "vendor,flux-system",
    ),
    files: FLEET,
    code: 1,
    says: [
      "--namespaces: flux-system is the cluster's or Flux's own namespace: a tenant gets namespaces of its own, e.g. vendor-nf",
    ],
  },
  {
    cli: gitopsNewTenant,
    argv: newTenant("--url", "ssh://git@git.vendor.example/smf.git", "--ref", "tag:v1"),
    files: FLEET,
    links: { "repo/tenants": "{tmp}/outside" },
    code: 1,
    says: [
      "tenants is a symbolic link: gitops:new-tenant writes only real folders and files of the repository (a link could send the write outside it); replace the link with the folder itself, or remove it",
    ],
    never: NEVER,
  },
  {
    cli: gitopsNewTenant,
    argv: newTenant("--url", "ssh://git@git.vendor.example/smf.git", "--ref", "tag:v1"),
    files: Object.fromEntries(
      Object.entries(FLEET).filter(([f]) => f !== "repo/clusters/dev/kustomization.yaml"),
    ),
    links: { "repo/clusters/dev/kustomization.yaml": "{tmp}/outside/base/kustomization.yaml" },
    code: 1,
    says: [OUT("clusters/dev/kustomization.yaml")],
    never: NEVER,
  },
];

/** gitops:new-tenant of a Git vendor on platform dev of the row's repository, with `more` (--url and --ref). */
function newTenant(...more: string[]): string[] {
  return ["--repo", "{tmp}/repo", "--name", "vendor", "--cluster", "dev", "--source", "git", ...more];
}
