// The CrossGuard pack: `pulumi preview --policy-pack ./policy [--policy-pack-config policy/config/<env>.json]`.
// Only assembles the pack; the rules live in rules/ and also run offline (`npm run check`).
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./rules";

// PolicyPack reads its version from `<cwd>/package.json`; some language hosts start the pack in the
// project's directory rather than the pack's, so make the pack's own package.json the one read.
process.chdir(__dirname);

new PolicyPack(POLICY_PACK_NAME, { policies });
