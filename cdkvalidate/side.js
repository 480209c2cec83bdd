// The validation process of package cdkvalidate. Argument: the aws-cdk-lib
// directory, and the app's output directory ('' if unknown). It reads one
// line, {"stackTemplates": [...]} (CDK's IPolicyValidationContext), and
// writes one line: {"report", "version", "reused"} or {"error"}. It ends
// when its input ends.
//
// The report is always what aws-cdk-lib's CloudFormationValidatePlugin
// returns for the request. Two things only make it come sooner:
//
// - The engine is built at once, for the resource types of the templates
//   the previous synthesis left in the output directory (read now, before
//   the app rewrites them), and warmed up by validating a copy of one.
//   The plugin reuses an engine built for a superset of the types it needs,
//   as it does between synths in one process.
// - Each template the app writes is validated as soon as it is complete,
//   with the settings the plugin used for that stack's template last time,
//   and the engine's answer is kept under a digest of the template's text,
//   its name and those settings. The plugin's own validate then runs as
//   usual; each engine call it makes with the same text, name and settings
//   gets the kept answer, which is what the call would return. Any
//   difference (a changed template, a new stack, other settings, a new
//   engine) is a call like any other.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [lib, outdir] = process.argv.slice(1);
const { CloudFormationValidatePlugin } = require(`${lib}/core/lib/validation/cloudformation-validate-plugin.js`);
const { TemplateContent } = require(`${lib}/node_modules/@aws/cloudformation-validate`);

const plugin = new CloudFormationValidatePlugin();
let reused = 0;

// key identifies one engine call, or is undefined for a call it cannot
// identify (a template not given as text).
function key(template, config) {
  if (!(template instanceof TemplateContent) || typeof template.content !== 'string') return undefined;
  return crypto.createHash('sha256').update(`${template.name}\0${JSON.stringify(config)}\0${template.content}`).digest('hex');
}

// previous returns the previous synthesis's stack templates: file name,
// text, and the stack's construct path, account and region (as CDK gives
// them to the plugin), from its manifest.
function previous() {
  if (!outdir) return [];
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  } catch {
    return [];
  }
  const out = [];
  for (const [id, a] of Object.entries(manifest.artifacts ?? {})) {
    if (a.type !== 'aws:cloudformation:stack' || !a.properties?.templateFile) continue;
    const env = /^aws:\/\/([^/]*)\/(.*)$/.exec(a.environment ?? '') ?? [];
    const known = (v, unknown) => (v && v !== unknown ? v : undefined);
    try {
      const file = path.join(outdir, a.properties.templateFile);
      out.push({
        file: a.properties.templateFile,
        mtimeMs: fs.statSync(file).mtimeMs,
        text: fs.readFileSync(file, 'utf8'),
        stackConstructPath: a.displayName ?? id,
        accountId: known(env[1], 'unknown-account'),
        region: known(env[2], 'unknown-region'),
      });
    } catch {
      // A template that is gone is not warmed up.
    }
  }
  return out;
}

const prev = previous();
// The settings of the plugin's engine calls, by stack environment, and the
// environment of each template file (from the previous synthesis).
const settings = new Map();
const envOf = new Map();
const envKey = (p) => JSON.stringify([p.accountId ?? null, p.region ?? null]);
let engine;
if (prev.length > 0 && typeof plugin.initializeEngine === 'function') {
  try {
    const types = new Set();
    for (const p of prev) {
      envOf.set(p.file, envKey(p));
      for (const r of Object.values(JSON.parse(p.text).Resources ?? {})) types.add(r.Type);
    }
    engine = plugin.initializeEngine(types);
    const validate = engine.validateTemplate.bind(engine);
    const answers = new Map();
    let warming;
    engine.validateTemplate = (template, config) => {
      if (warming) {
        settings.set(warming, config);
        return validate(template, config);
      }
      const k = key(template, config);
      if (k !== undefined && answers.has(k)) {
        reused++;
        return answers.get(k);
      }
      const answer = validate(template, config);
      if (k !== undefined) answers.set(k, answer);
      return answer;
    };
    // The warm-up validates a copy of the smallest template of each
    // environment (the settings depend on the environment only), so it never
    // reads a template the app is writing; the engine's first call is its
    // slowest.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdkvalidate-'));
    try {
      const smallest = new Map();
      for (const p of prev) {
        const s = smallest.get(envKey(p));
        if (!s || p.text.length < s.text.length) smallest.set(envKey(p), p);
      }
      for (const [env, p] of smallest) {
        const templatePath = path.join(dir, p.file);
        fs.writeFileSync(templatePath, p.text);
        warming = env;
        plugin.validate({ stackTemplates: [{ stackConstructPath: p.stackConstructPath, templatePath, accountId: p.accountId, region: p.region }] });
      }
    } finally {
      warming = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // The plugin builds its engine in validate and reports what fails.
    engine = undefined;
  }
}

// Templates are validated as the app writes them.
let watcher;
if (engine && settings.size > 0) {
  const pending = new Set();
  const check = () => {
    for (const file of pending) {
      pending.delete(file);
      const name = path.join(outdir, file); // as CDK names it
      let text;
      try {
        text = fs.readFileSync(name, 'utf8');
        JSON.parse(text); // complete: no prefix of a JSON object is one
      } catch {
        continue; // the next write event brings it back
      }
      try {
        engine.validateTemplate(new TemplateContent(text, name), settings.get(envOf.get(file)));
      } catch {
        // validate meets the same error and reports it.
      }
      if (process.env.CDKVALIDATE_TRACE) process.stderr.write(`validated ahead: ${file}\n`);
    }
  };
  try {
    watcher = fs.watch(outdir, (_, file) => {
      if (file && settings.has(envOf.get(file))) {
        pending.add(file);
        setImmediate(check);
      }
    });
    // A template the app wrote before the watch began is checked now.
    for (const p of prev) {
      try {
        if (fs.statSync(path.join(outdir, p.file)).mtimeMs !== p.mtimeMs) pending.add(p.file);
      } catch {
        // being replaced
      }
    }
    setImmediate(check);
    if (process.env.CDKVALIDATE_TRACE) process.stderr.write('watching\n');
  } catch {
    // Without a watch, validate does all the work.
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  const nl = input.indexOf('\n');
  if (nl < 0) return;
  watcher?.close();
  let out;
  try {
    // Go's nil is JSON's null; CDK passes an unknown account or region as
    // undefined.
    const request = JSON.parse(input.slice(0, nl), (_, v) => (v === null ? undefined : v));
    const report = plugin.validate(request);
    out = { report, version: plugin.version, reused };
  } catch (e) {
    out = { error: String((e && e.stack) || e) };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
});
process.stdin.on('end', () => process.exit(0));
