// The validation process of package cdkvalidate. Arguments: the aws-cdk-lib
// directory and a JSON array of the resource types to build the engine for.
// It reads one line, {"stackTemplates": [...]} (CDK's
// IPolicyValidationContext), and writes one line, {"report", "version"} or
// {"error"}. It ends when its input ends.
'use strict';
const [lib, typesJSON] = process.argv.slice(1);
const { CloudFormationValidatePlugin } = require(`${lib}/core/lib/validation/cloudformation-validate-plugin.js`);
const plugin = new CloudFormationValidatePlugin();
const types = JSON.parse(typesJSON);
// initializeEngine is the plugin's own (private) step that validate takes
// first; validate reuses the engine when the templates add no type. If it
// is gone in a later release, validate builds the engine itself.
if (types.length > 0 && typeof plugin.initializeEngine === 'function') {
  try {
    plugin.initializeEngine(new Set(types));
  } catch {
    // validate builds it and reports what fails.
  }
}
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  const nl = input.indexOf('\n');
  if (nl < 0) return;
  let out;
  try {
    const report = plugin.validate(JSON.parse(input.slice(0, nl)));
    out = { report, version: plugin.version };
  } catch (e) {
    out = { error: String((e && e.stack) || e) };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
});
process.stdin.on('end', () => process.exit(0));
