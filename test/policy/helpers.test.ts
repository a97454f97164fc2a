import type { PlatformResourcePolicy, PlatformStackPolicy } from "../../policy/rules/common";
import { NotApplicable, resource, stackViolations, violations } from "./helpers";

/** A tick of the event loop: what a rule awaiting I/O (a lookup, a parse) gives up before it reports. */
const later = () => new Promise<void>((r) => setTimeout(r, 5));

const FIELDS = { enforcementLevel: "mandatory", severity: "high", configSchema: { properties: {} } } as const;

const asyncResourceRule: PlatformResourcePolicy = {
  ...FIELDS,
  name: "async-resource-rule",
  description: "Reports after an await.",
  validateResource: async (args, report) => {
    await later();
    if (args.props.bad === true) report(`${args.name} is bad`);
    if (args.props.skip === true) args.notApplicable("not for this one");
  },
};

const asyncStackRule: PlatformStackPolicy = {
  ...FIELDS,
  name: "async-stack-rule",
  description: "Reports after an await.",
  validateStack: async (args, report) => {
    await later();
    for (const r of args.resources) if (r.props.bad === true) report(`${r.name} is bad`, r.urn);
  },
};

describe("policy test helpers await the rule", () => {
  it("sees a resource violation reported after an await", async () => {
    await expect(violations(asyncResourceRule, "test:x:X", { bad: true }, { name: "one" })).resolves.toEqual([
      "one is bad",
    ]);
    await expect(violations(asyncResourceRule, "test:x:X", { bad: false })).resolves.toEqual([]);
  });

  it("rejects with NotApplicable when an async rule says so after an await", async () => {
    await expect(violations(asyncResourceRule, "test:x:X", { skip: true })).rejects.toThrow(NotApplicable);
  });

  it("sees a stack violation reported after an await, with the resource it names", async () => {
    await expect(
      stackViolations(asyncStackRule, [
        resource("test:x:X", "good"),
        resource("test:x:X", "worse", { bad: true }),
      ]),
    ).resolves.toEqual([{ message: "worse is bad", resource: "worse" }]);
  });
});
