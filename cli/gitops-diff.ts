// npm run gitops:diff -- [from-ref] [to-ref] [--repo <fleet repo dir>] [--project <dir>] [--json]
import { runGitopsDiff } from "../automation/gitops";
import { runCli } from "./common";

// The renders behind the platforms' cluster-vars capture a stack trace per resource; source-mapping
// them costs more than the diff itself.
process.setSourceMapsEnabled(false);

void runCli((argv) => runGitopsDiff(argv, { out: console.log, err: console.error }));
