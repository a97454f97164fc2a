import { parse, parseAllDocuments } from "yaml";
import { parseErrorSummary } from "../../../components/parseError";

const SECRET = "hunter2";
const yamlError = (text: string) => {
  try {
    parse(text);
  } catch (e) {
    return e;
  }
  throw new Error("parsed");
};
const jsonError = (text: string) => {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  throw new Error("parsed");
};

describe("parseErrorSummary", () => {
  it.each<[string, unknown, string]>([
    [
      "a nested mapping",
      yamlError(`password: ${SECRET}: x\n`),
      "invalid YAML at line 1, column 11: Nested mappings are not allowed in compact mappings",
    ],
    [
      "an unclosed flow map",
      yamlError(`a:\n  b: {token: ${SECRET}\nc: [`),
      "invalid YAML at line 3, column 1: Flow map in block collection must be sufficiently indented and end with a }",
    ],
    [
      "an INI credentials file",
      parseAllDocuments(`[default]\naws_secret_access_key = ${SECRET}\n`)[0].errors[0],
      "invalid YAML at line 2, column 1: Unexpected scalar at node end",
    ],
    ["JSON with a bare word", jsonError(`{"token": ${SECRET}}`), "invalid JSON: unexpected character"],
    ["JSON that ends early", jsonError(`{"token": `), "invalid JSON: the input ends too early"],
  ])("%s", (_, error, expected) => {
    const got = parseErrorSummary(error, /JSON/.test(expected) ? "JSON" : "YAML");
    expect(got).toBe(expected);
    expect(got).not.toContain(SECRET);
  });

  it("turns JSON's character position into a line and column", () => {
    const text = `{"a": 1,\n "token": "${SECRET}"\n`;
    expect(parseErrorSummary(jsonError(text), "JSON", text)).toBe(
      "invalid JSON at line 3, column 1: Expected ',' or '}' after property value",
    );
  });
});
