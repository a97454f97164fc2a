import * as fs from "node:fs";
import * as path from "node:path";
import { budgetOf, budgetTable, FIGURES, recordFigure } from "../../e2e/harness/budgets";

describe("the e2e figures' budgets", () => {
  it("docs/e2e.md shows the budget table exactly as test/e2e/harness/budgets.ts has it", () => {
    const page = fs.readFileSync(path.join(__dirname, "../../../docs/e2e.md"), "utf8");
    expect(page).toContain(`${budgetTable()}\n`);
  });

  it("each label names its start and end event; each budget is 3× the documented figure", () => {
    for (const [id, f] of Object.entries(FIGURES)) {
      expect(f.label).toMatch(/from .+ to .+/);
      expect(budgetOf(id as keyof typeof FIGURES)).toBeCloseTo(3 * f.documented, 6);
    }
  });

  it("records a figure within its budget, and fails over it naming the figure, value and budget", () => {
    const figures: [string, string][] = [];
    const h = { figure: (k: string, v: string | number) => void figures.push([k, String(v)]) };
    const budget = budgetOf("tagWebhook");
    expect(recordFigure(h, "tagWebhook", 1_000, 1_000 + budget * 1000)).toBe(budget);
    expect(figures).toEqual([[FIGURES.tagWebhook.label, `${budget}s (budget ${budget}s)`]]);
    expect(() => recordFigure(h, "tagWebhook", 1_000, 1_000 + budget * 1000 + 100)).toThrow(
      `figure over its budget: ${FIGURES.tagWebhook.label}: ${budget + 0.1}s, budget ${budget}s (3× the ${FIGURES.tagWebhook.documented}s docs/e2e.md documents)`,
    );
  });
});
