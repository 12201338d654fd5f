// Parses the Mermaid diagram on stdin with the real Mermaid parser (jsdom provides the DOM it expects).
// Exit 0 and "ok <diagramType>" when it parses; exit 1 with the parse error otherwise.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
let text = '';
for await (const chunk of process.stdin) text += chunk;
try {
  const result = await mermaid.parse(text);
  process.stdout.write(`ok ${result.diagramType}\n`);
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
