// GET /api/docs: a readable reference, rendered on the server from the OpenAPI document
// (so the page and the document cannot disagree). The CSP allows scripts and styles from
// our own origin only, so the page has no scripts, no <style> block and no style
// attributes: its look comes from /api/docs.css, served beside it.

type Json = Record<string, unknown>;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const paragraphs = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p.trim())}</p>`)
    .join("\n");

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
/** A Native method's anchor is its name; other endpoints', their path. */
const anchor = (path: string) => (path.startsWith("/api/json/") ? path.slice("/api/json/".length) : slug(path));

function resolve(doc: Json, schema: Json | undefined): Json {
  const r = schema?.$ref;
  if (typeof r !== "string") return schema ?? {};
  const name = r.split("/").pop()!;
  return ((doc.components as Json).schemas as Json)[name] as Json;
}

/** A short type label from a JSON Schema fragment, e.g. "integer", "list of text", "text or null". */
export function typeLabel(s: Json): string {
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf)) return [...new Set((s.anyOf as Json[]).map(typeLabel))].join(" or ");
  switch (s.type) {
    case "string":
      return s.format === "date-time" ? "date and time" : "text";
    case "integer":
      return "whole number";
    case "number":
      return "number";
    case "boolean":
      return "true or false";
    case "null":
      return "null";
    case "array":
      return `list of ${typeLabel((s.items ?? {}) as Json)}`;
    case "object":
      return "object";
    default:
      return "any";
  }
}

function propertiesTable(schema: Json, skip: string[] = []): string {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(properties).filter(([name]) => !skip.includes(name));
  if (rows.length === 0) return "<p>None.</p>";
  const body = rows
    .map(([name, s]) => {
      const limits = [s.maxLength !== undefined ? `at most ${s.maxLength} characters` : "", typeof s.maximum === "number" && s.maximum < Number.MAX_SAFE_INTEGER ? `at most ${s.maximum}` : ""].filter(Boolean).join("; ");
      return `<tr><td><code>${escapeHtml(name)}</code></td><td>${escapeHtml(typeLabel(s))}${limits ? `<br><small>${escapeHtml(limits)}</small>` : ""}</td><td>${required.has(name) ? "yes" : "no"}</td><td>${escapeHtml(String(s.description ?? ""))}</td></tr>`;
    })
    .join("\n");
  return `<table><thead><tr><th>Name</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function answerOf(doc: Json, op: Json): string {
  const ok = (op.responses as Json)["200"] as Json;
  const schema = ((ok.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema as Json | undefined;
  if (!schema) return `<p>${escapeHtml(String(ok.description))}</p>`;
  if (schema.type === "array") {
    const item = resolve(doc, schema.items as Json);
    return `<p>${escapeHtml(String(ok.description))} Each row has:</p>${propertiesTable(item)}`;
  }
  return `<p>${escapeHtml(String(ok.description))}</p>${propertiesTable(resolve(doc, schema))}`;
}

function argumentsOf(op: Json): string {
  const body = (((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema as Json | undefined;
  if (body) return propertiesTable(body, ["API_Key"]);
  const params = (op.parameters ?? []) as Json[];
  return propertiesTable({
    properties: Object.fromEntries(params.map((p) => [p.name, { ...(p.schema as Json), description: p.description }])),
    required: params.filter((p) => p.required).map((p) => p.name),
  });
}

function example(path: string, verbs: string[]): string {
  if (path.startsWith("/api/json/")) return `curl -H "X-ApiKey: $KEY" "$KEYHOUSE${path}"`;
  if (path.endsWith("/create")) {
    return `curl -X POST -H "X-ApiKey: $KEY" -H "Content-Type: application/json" \\\n  -d '{"type":"system","systemApis":["feeds"],"displayName":"CI"}' "$KEYHOUSE${path}"`;
  }
  if (path.endsWith("/delete")) return `curl -X POST -H "X-ApiKey: $KEY" "$KEYHOUSE${path}?id=42"`;
  return `curl${verbs[0] === "GET" ? "" : ` -X ${verbs[0]}`} -H "X-ApiKey: $KEY" "$KEYHOUSE${path}"`;
}

const VERBS = ["get", "post", "delete"] as const;

export function renderDocsPage(doc: Json): string {
  const info = doc.info as Json;
  const paths = doc.paths as Record<string, Json>;
  const schemes = ((doc.components as Json).securitySchemes ?? {}) as Record<string, Json>;
  const groups = new Map<string, string[]>();
  for (const [path, item] of Object.entries(paths)) {
    const op = (item.get ?? item.post ?? item.delete) as Json;
    const tag = String((op.tags as string[] | undefined)?.[0] ?? "Other");
    groups.set(tag, [...(groups.get(tag) ?? []), path]);
  }

  const nav = [...groups]
    .map(
      ([tag, list]) =>
        `<li><a href="#${slug(tag)}">${escapeHtml(tag)}</a><ul>${list.map((p) => `<li><a href="#${anchor(p)}"><code>${escapeHtml(p.replace("/api/json/", ""))}</code></a></li>`).join("")}</ul></li>`,
    )
    .join("\n");

  const sections = [...groups]
    .map(([tag, list]) => {
      const articles = list
        .map((path) => {
          const item = paths[path]!;
          const verbs = VERBS.filter((v) => item[v]).map((v) => v.toUpperCase());
          const op = (item.post ?? item.get ?? item.delete) as Json;
          const title = path.startsWith("/api/json/") ? path.slice("/api/json/".length) : path;
          return `<article id="${anchor(path)}">
<h3><code>${escapeHtml(title)}</code></h3>
<p class="endpoint"><code>${escapeHtml(verbs.join(" | "))} ${escapeHtml(path)}</code></p>
<p class="summary">${escapeHtml(String(op.summary ?? ""))}</p>
${paragraphs(String(op.description ?? "").split("\n\n")[0] ?? "")}
<h4>Arguments</h4>
${argumentsOf(op)}
<h4>Answer</h4>
${answerOf(doc, op)}
<h4>Example</h4>
<pre><code>${escapeHtml(example(path, verbs))}</code></pre>
</article>`;
        })
        .join("\n");
      return `<section id="${slug(tag)}"><h2>${escapeHtml(tag)}</h2>\n${articles}\n</section>`;
    })
    .join("\n");

  const schemeRows = Object.values(schemes)
    .map((s) => `<tr><td>${escapeHtml(String(s.in))}</td><td><code>${escapeHtml(String(s.name))}</code></td><td>${escapeHtml(String(s.description ?? ""))}</td></tr>`)
    .join("\n");

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(String(info.title))}</title>
<link rel="stylesheet" href="/api/docs.css">
</head>
<body>
<header>
<h1>${escapeHtml(String(info.title))}</h1>
<p>Version ${escapeHtml(String(info.version))}. The machine-readable document is at <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (OpenAPI ${escapeHtml(String(doc.openapi))}).</p>
</header>
<nav aria-label="Contents"><h2>Contents</h2><ul><li><a href="#overview">Overview and keys</a></li>
${nav}</ul></nav>
<main>
<section id="overview"><h2>Overview and keys</h2>
${paragraphs(String(info.description ?? ""))}
<table><thead><tr><th>In</th><th>Name</th><th>Description</th></tr></thead><tbody>
${schemeRows}
<tr><td>form body</td><td><code>key</code></td><td>Only with Content-Type: application/x-www-form-urlencoded.</td></tr>
<tr><td>JSON body</td><td><code>API_Key</code></td><td>A property of the root object, only with Content-Type: application/json.</td></tr>
</tbody></table>
</section>
${sections}
</main>
</body>
</html>
`;
}

export const DOCS_CSS = `:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --code: #f6f8fa; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --code: #151b23; --accent: #4493f8; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
a { color: var(--accent); }
header, nav, section { margin-bottom: 2rem; }
nav ul { columns: 2 18rem; padding-left: 1.25rem; }
nav ul ul { columns: auto; }
article { border-top: 1px solid var(--line); padding-top: 1rem; margin-top: 1.5rem; }
h1, h2, h3, h4 { line-height: 1.25; }
h4 { margin-bottom: 0.25rem; color: var(--muted); text-transform: uppercase; font-size: 0.8rem; letter-spacing: 0.04em; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: var(--code); padding: 0.75rem 1rem; border-radius: 6px; overflow-x: auto; }
p.endpoint code { background: var(--code); padding: 0.2rem 0.5rem; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
th { background: var(--code); }
small { color: var(--muted); }
`;
