// Module resolution hooks for trace-imports.mjs (they run on the loader thread).
const seen = new Set();

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const at = r.url.lastIndexOf('/node_modules/');
  if (at >= 0) {
    const parts = r.url.slice(at + '/node_modules/'.length).split('/');
    const pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    if (!seen.has(pkg)) {
      seen.add(pkg);
      process.stderr.write(`import: ${pkg}\n`);
    }
  }
  return r;
}
