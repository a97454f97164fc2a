// The CrossGuard pack: `pulumi preview --policy-pack ./policy [--policy-pack-config policy/config/<env>.json]`.
// Only assembles the pack; the rules live in rules/ and also run offline (`npm run check`).
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./rules";

new PolicyPack(POLICY_PACK_NAME, { policies });
