/**
 * Parity check (manual, not part of `npm test`): runs the policy pack inside the real CrossGuard
 * server of @pulumi/policy (started from policy/index.ts, as the Pulumi CLI starts it), sends it a
 * stack's rendered resources over gRPC the way the engine does (Analyze per resource, AnalyzeStack
 * with parents, dependencies and providers as URNs), and compares its findings with the offline
 * check's. Needs the pack's own dependencies: `npm ci --prefix policy`.
 *
 *   npx tsx test/policy/parity/engineParity.ts <stack> [projectDir]
 *
 * Exits 0 when both report exactly the same (policy, resource, message) findings.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { checkStack } from "../../../automation/check";
import { renderStack } from "../../../automation/render";
import type { RecordedResource } from "../../../automation/render/engine";

const root = path.resolve(__dirname, "../../..");
const load = createRequire(path.join(root, "policy", "package.json"));

/** The few generated protobuf/grpc members used here. */
interface Message {
  [setter: string]: (v: unknown) => void;
}
type Ctor = new () => Message;
interface Diagnostic {
  getPolicyname(): string;
  getMessage(): string;
  getUrn(): string;
}
interface Response {
  getDiagnosticsList(): Diagnostic[];
}
type Rpc = (req: Message, cb: (e: Error | null, r: Response) => void) => void;

const grpc = load("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
const pb = load("@pulumi/pulumi/proto/analyzer_pb") as Record<string, Ctor>;
const svc = load("@pulumi/pulumi/proto/analyzer_grpc_pb") as {
  AnalyzerClient: new (addr: string, creds: unknown) => { analyze: Rpc; analyzeStack: Rpc };
};
const { Struct } = load("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(v: unknown): unknown };
};

function build(ctor: string, fields: Record<string, unknown>): Message {
  const m = new pb[ctor]();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) m[`set${k}`](v);
  return m;
}

async function main(stack: string, projectDir: string): Promise<number> {
  const server = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "index.ts"], {
    cwd: path.join(root, "policy"),
  });
  try {
    const port = await new Promise<string>((resolve) =>
      server.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())),
    );
    const client = new svc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = (rpc: Rpc, req: Message) =>
      new Promise<Response>((resolve, reject) =>
        rpc.call(client, req, (e, r) => (e ? reject(e) : resolve(r))),
      );

    const render = await renderStack(projectDir, stack);
    const byId = new Map(render.resources.map((r) => [`${r.type}::${r.name}`, r]));
    const urnOf = (id?: string) => (id ? byId.get(id)?.urn : undefined);
    const common = (r: RecordedResource) => {
      const provider = r.provider ? byId.get(r.provider) : undefined;
      return {
        Type: r.type,
        Name: r.name,
        Urn: r.urn,
        Properties: Struct.fromJavaScript(r.inputs),
        Options: build("AnalyzerResourceOptions", { Protect: false, Parent: urnOf(r.parent) }),
        Provider: provider
          ? build("AnalyzerProviderResource", {
              Type: provider.type,
              Name: provider.name,
              Urn: provider.urn,
              Properties: Struct.fromJavaScript(provider.inputs),
            })
          : undefined,
      };
    };
    const nameOf = (urn: string) => render.resources.find((r) => r.urn === urn)?.name ?? "(stack)";
    // The server prefixes each message with the policy's description and a newline.
    const line = (d: Diagnostic, name: string) =>
      `${d.getPolicyname()} ${name}: ${d.getMessage().split("\n").slice(1).join("\n")}`;

    const server_: string[] = [];
    for (const r of render.resources) {
      const res = await call(client.analyze, build("AnalyzeRequest", common(r)));
      for (const d of res.getDiagnosticsList()) server_.push(line(d, r.name));
    }
    const resources = render.resources.map((r) =>
      build("AnalyzerResource", {
        ...common(r),
        Parent: urnOf(r.parent),
        DependenciesList: r.dependsOn.map(urnOf).filter((u) => u !== undefined),
      }),
    );
    const stackRes = await call(
      client.analyzeStack,
      build("AnalyzeStackRequest", { ResourcesList: resources }),
    );
    for (const d of stackRes.getDiagnosticsList()) server_.push(line(d, nameOf(d.getUrn())));

    // The server runs at the policies' default levels (no pack config); so does this check.
    const offline = (await checkStack(projectDir, stack, { policyConfig: undefined })).violations.map(
      (v) => `${v.policy} ${v.resource?.name ?? "(stack)"}: ${v.message}`,
    );
    const a = [...server_].sort();
    const b = [...offline].sort();
    const same = JSON.stringify(a) === JSON.stringify(b);
    console.log(
      `${stack}: CrossGuard server ${a.length} findings, offline check ${b.length}: ${same ? "identical" : "DIFFERENT"}`,
    );
    for (const x of a.filter((y) => !b.includes(y))) console.log(`  server only:  ${x}`);
    for (const x of b.filter((y) => !a.includes(y))) console.log(`  offline only: ${x}`);
    return same ? 0 : 1;
  } finally {
    server.kill();
  }
}

if (require.main === module) {
  const [stack, project = root] = process.argv.slice(2);
  main(stack, path.resolve(project)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
