// The stack file of an e2e platform: the settings every platform has (its name, environment, owner,
// organization), the harness's cluster as an existing cluster, and the script's own `flux` settings.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";

export function writeStackFile(
  project: string,
  stack: string,
  opts: { kubeconfig: string; flux: Record<string, unknown> },
): string {
  const file = path.join(project, `Pulumi.${stack}.yaml`);
  fs.writeFileSync(
    file,
    stringify({
      config: {
        "platform:name": stack,
        "platform:environment": "dev",
        "platform:owner": "platform-team",
        "platform:organization": "acme",
        "platform:cluster": { kind: "existing", kubeconfigPath: opts.kubeconfig },
        "platform:flux": opts.flux,
      },
    }),
  );
  return file;
}
